# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""light_tracker_ros: light single-object trackers made by pruning CNN, ViT and hybrid trackers."""

__version__ = "0.1.0"
