#!/usr/bin/env bash
# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
#
# Track the bundled clip: the sample camera and the tracker node in one process (no camera, no launch needed).
# Extra arguments go to the demo, e.g. --model transformer_parent --duration 20.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
exec .venv/bin/python -m light_tracker_ros.cli.main demo "$@"
