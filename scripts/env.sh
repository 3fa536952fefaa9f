# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
#
# Source this to use .venv like a ROS workspace: ament index on the venv, DDS kept on this machine.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AMENT_PREFIX_PATH="$ROOT/.venv${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-42}"
export PATH="$ROOT/.venv/bin:$PATH"
