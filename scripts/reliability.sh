#!/usr/bin/env bash
# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
#
# Run the full reliability suite (test/reliability, ROS domain 12, node in its own process) and print its table.
# `pytest test` runs only its fast subset. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
export RELIABILITY_FULL=1 ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
exec nice -n 10 .venv/bin/python -m pytest test/reliability -q -p no:cacheprovider "$@"
