# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
ROS 2 layer: the tracker node, its parameters, message conversions, diagnostics and the sample camera.

This sub-package and the console scripts built on it (demo, benchmark_node) import rclpy; the core never does.
"""
