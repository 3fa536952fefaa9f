#!/usr/bin/env bash
# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
#
# Run the whole test suite (unit, ROS over real DDS, linters) in .venv. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
exec .venv/bin/python -m pytest test -q "$@"
