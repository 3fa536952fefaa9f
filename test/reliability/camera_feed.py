# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
A camera in its own process for the reliability suite: noise frames on /image at a fixed rate.

``python camera_feed.py RATE WIDTH HEIGHT SECONDS [reliable|best_effort]``; prints the number of frames sent
and of those the middleware refused (a full reliable history), as a camera driver would drop them.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import rclpy
from builtin_interfaces.msg import Time
from rclpy._rclpy_pybind11 import RCLError
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
from std_msgs.msg import Header


def main(argv: list[str]) -> int:
    """Publish frames until the time is up; print how many were sent."""
    rate, width, height, seconds = float(argv[0]), int(argv[1]), int(argv[2]), float(argv[3])
    reliability = ReliabilityPolicy.BEST_EFFORT if argv[4:] == ["best_effort"] else ReliabilityPolicy.RELIABLE
    rclpy.init()
    node = rclpy.create_node("reliability_camera")
    pub = node.create_publisher(Image, "/image", QoSProfile(depth=5, reliability=reliability))
    frame = np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8)
    msg = Image(height=height, width=width, encoding="bgr8", is_bigendian=0, step=width * 3, data=frame.tobytes())
    deadline = time.monotonic() + 30.0
    while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # the node matches the publisher's reliability within a second
    sent, refused, period = 0, 0, 1.0 / rate
    start = next_at = time.perf_counter()
    while time.perf_counter() - start < seconds:
        now = time.time_ns()
        msg.header = Header(stamp=Time(sec=now // 1_000_000_000, nanosec=now % 1_000_000_000), frame_id="camera")
        try:
            pub.publish(msg)
            sent += 1
        except RCLError:
            refused += 1
        next_at += period
        time.sleep(max(next_at - time.perf_counter(), 0.0))
    print(sent, refused, flush=True)
    time.sleep(0.5)
    node.destroy_node()
    rclpy.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
