# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One-pass evaluation: sequences on disk, metrics, OpenCV peers, the runner and its reports."""
