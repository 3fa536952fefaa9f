#!/usr/bin/env bash
# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
#
# Make .venv (Python 3.11) with the ROS 2 Kilted wheels, torch, ONNX Runtime, OpenCV, ... and install this
# package into it, so that ament-index look-ups (get_package_share_directory) find its launch/config/models.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "setup.sh: Python 3.11 is needed (the ROS 2 Kilted wheels are built for it); set PYTHON=python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
# a regular (non-editable) install puts share/light_tracker_ros and the ament resource marker into .venv
.venv/bin/python -m pip install --quiet --no-deps --force-reinstall .
# ament looks for a package's executables in <prefix>/lib/<package> (ros2 run, ros2 launch); pip puts console
# scripts in .venv/bin only (it ignores setup.cfg's install_scripts), so link the ROS executables there
mkdir -p .venv/lib/light_tracker_ros
for exe in tracker_node sample_camera; do
  ln -sf "../../bin/$exe" ".venv/lib/light_tracker_ros/$exe"
done
echo "setup.sh: .venv ready ($(.venv/bin/python --version))"
