# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ROS-free tracking core: types, config, errors, model cards, pre-processing and the tracker."""
