# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The sample camera plays a rosbag2 (written here with rosbags) into a subscriber over real DDS."""
from __future__ import annotations

import os
import threading
import time
from typing import Iterator

import cv2
import numpy as np
import pytest
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from scenes import NODE, record_bag
from sensor_msgs.msg import Image, RegionOfInterest

from light_tracker_ros.data.sequences import write_groundtruth
from light_tracker_ros.ros.sample_camera import SampleCamera

DOMAIN_ID = 13
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
FRAMES = 8


@pytest.fixture(name="bag_context")
def bag_context_fixture() -> Iterator[Context]:
    """Provide a private rclpy Context in this test's ROS domain, shut down after the test."""
    context = Context()
    rclpy.init(context=context, domain_id=DOMAIN_ID)
    yield context
    rclpy.try_shutdown(context=context)


@pytest.mark.parametrize(("storage", "encoding"), [("sqlite3", "rgb8"), ("mcap", "jpeg")])
def test_camera_plays_every_bag_frame_in_order_with_its_first_box(bag_context, tmp_path, storage, encoding):
    frames, boxes = NODE.frames(FRAMES)
    bag = record_bag(tmp_path / "bag", frames, "/cam/image_raw", encoding, storage, period_ns=50_000_000)
    write_groundtruth(bag / "groundtruth.txt", boxes)
    if encoding == "jpeg":
        frames = [cv2.imdecode(cv2.imencode(".jpg", f)[1], cv2.IMREAD_COLOR) for f in frames]
    topic = f"/bag_playback_{os.getpid()}/image"
    camera = SampleCamera(context=bag_context, parameter_overrides=[
        Parameter("bag", value=str(bag)), Parameter("bag_topic", value="/cam/image_raw"), Parameter("rate", value=0.0),
        Parameter("loop", value=False), Parameter("image_topic", value=topic),
        Parameter("init_topic", value=f"{topic}/init_roi")])
    assert camera.clip.fps == pytest.approx(20.0, rel=1e-3)  # the bag's own rate
    listener = Node("bag_listener", context=bag_context)
    images: list[Image] = []
    rois: list[RegionOfInterest] = []
    listener.create_subscription(Image, topic, images.append, QoSProfile(depth=FRAMES,
                                                                         reliability=ReliabilityPolicy.RELIABLE))
    listener.create_subscription(RegionOfInterest, f"{topic}/init_roi", rois.append, 10)
    executor = SingleThreadedExecutor(context=bag_context)
    executor.add_node(camera)
    executor.add_node(listener)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and len(images) < FRAMES:
            time.sleep(0.02)
        time.sleep(0.3)  # loop is off: nothing may follow the last frame
    finally:
        executor.shutdown()
        thread.join(timeout=5.0)
        camera.destroy_node()
        listener.destroy_node()
    assert len(images) == FRAMES == camera.published
    stamps = [m.header.stamp.sec * 10**9 + m.header.stamp.nanosec for m in images]
    assert all(a < b for a, b in zip(stamps, stamps[1:])), stamps
    assert [camera.frame_index(s) for s in stamps] == list(range(FRAMES))
    for i, (msg, frame) in enumerate(zip(images, frames)):
        received = np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, 3)
        assert msg.encoding == "bgr8" and np.array_equal(received, frame), f"frame {i} differs from the bag's"
    assert rois and (rois[0].x_offset, rois[0].y_offset, rois[0].width, rois[0].height) == tuple(boxes[0].astype(int))
