# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Small console scripts (demo, benchmarks, data and pipeline stages)."""
