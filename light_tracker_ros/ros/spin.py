# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared ``main()`` tail of the package's nodes: spin until SIGINT or shutdown, then clean up."""
from __future__ import annotations

import signal

import rclpy
from rclpy.executors import Executor, ExternalShutdownException
from rclpy.node import Node


def _ignore_interrupts() -> None:
    """From here on, a further SIGINT or SIGTERM (``ros2 launch`` escalating, a second Ctrl-C) changes nothing."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def spin_until_shutdown(node: Node, executor: Executor) -> int:
    """
    Spin ``node`` on ``executor`` until Ctrl-C or an external shutdown; destroy it; return exit code 0.

    Signals that arrive during the cleanup are ignored, so the process always ends with exit code 0 and no
    traceback, however many SIGINTs it gets.
    """
    executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        for step in (_ignore_interrupts, executor.shutdown, node.destroy_node, rclpy.try_shutdown):
            try:
                step()
            except KeyboardInterrupt:  # arrived before the handlers were replaced
                _ignore_interrupts()
    return 0
