# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared ``main()`` tail of the package's nodes: spin until SIGINT or shutdown, then clean up."""
from __future__ import annotations

import rclpy
from rclpy.executors import Executor, ExternalShutdownException
from rclpy.node import Node


def spin_until_shutdown(node: Node, executor: Executor) -> int:
    """Spin ``node`` on ``executor`` until Ctrl-C or an external shutdown; destroy it; return exit code 0."""
    executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0
