# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The sample camera plays the bundled real clip with its first box; the one-process demo runs it."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from ros_fixtures import wait_until
from sensor_msgs.msg import Image, RegionOfInterest

from light_tracker_ros.cli import demo
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.ros.clip import BUNDLED_CLIP, load_clip
from light_tracker_ros.ros.sample_camera import SampleCamera


def test_bundled_clip_and_boxes() -> None:
    """75 real frames of 384x288 and one box per frame; the first is vtest-ped1's, scaled by one half."""
    clip = load_clip()
    assert BUNDLED_CLIP.stat().st_size < 1_000_000
    assert len(clip.frames) == 75 and clip.size == (384, 288) and len(clip.boxes) == 75
    assert clip.boxes[0].as_tuple() == (83.0, 212.0, 29.5, 76.0)
    assert clip.fps == pytest.approx(10.0)
    assert float(np.std(clip.frames[0])) > 10.0, "frames must hold a real picture"


def test_camera_publishes_frames_and_the_first_box(context) -> None:
    """Subscribers get bgr8 frames at the configured size and, before frame 0, the scaled first box."""
    camera = SampleCamera(context=context, parameter_overrides=[
        Parameter("rate", value=30.0), Parameter("width", value=192), Parameter("height", value=144),
        Parameter("init_topic", value="/tracker/init_roi")])
    listener = Node("listener", context=context)
    images: list[Image] = []
    rois: list[RegionOfInterest] = []
    listener.create_subscription(Image, "/image", images.append, 10)
    listener.create_subscription(RegionOfInterest, "/tracker/init_roi", rois.append, 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(camera)
    executor.add_node(listener)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: len(images) >= 5 and rois, 15.0), (len(images), len(rois))
        assert (images[0].width, images[0].height, images[0].encoding) == (192, 144, "bgr8")
        assert (rois[0].x_offset, rois[0].y_offset, rois[0].width, rois[0].height) == (42, 106, 14, 38)
        assert camera.frame_index(images[0].header.stamp.sec * 10**9 + images[0].header.stamp.nanosec) == 0
    finally:
        executor.shutdown()
        thread.join(timeout=5.0)
        camera.destroy_node()
        listener.destroy_node()


def test_camera_parameters_come_from_the_typed_spec(context) -> None:
    """Descriptors carry the spec's help, range and choices (read-only); a bad value is refused by name."""
    camera = SampleCamera(context=context)
    try:
        rate = camera.describe_parameter("rate")
        assert rate.read_only and "frames per second" in rate.description
        assert (rate.floating_point_range[0].from_value, rate.floating_point_range[0].to_value) == (0.0, 1000.0)
        assert "best_effort" in camera.describe_parameter("qos_reliability").additional_constraints
    finally:
        camera.destroy_node()
    with pytest.raises(ConfigError, match="'encoding' must be one of"):
        SampleCamera(context=context, parameter_overrides=[Parameter("encoding", value="xyz16")])


def test_demo_runs_camera_and_tracker_in_one_process(model_dir: Path, capsys: pytest.CaptureFixture) -> None:
    """The demo prints a line per second and a summary, with frames processed and boxes received."""
    assert demo.main(["--model", str(model_dir / "cnn_tiny.onnx"), "--duration", "3", "--rate", "20",
                      "--domain-id", os.environ["ROS_DOMAIN_ID"]]) in (0, 1)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) >= 2 and "camera" in lines[0] and "latency" in lines[0]
    assert "summary after" in out and "IoU with the clip's ground truth" in out
    processed = int(out.split("processed ")[1].split(",")[0])
    assert processed > 20


def test_demo_with_missing_model_says_why(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A model that cannot be found stops the demo with exit code 1 and a message naming it."""
    assert demo.main(["--model", "nothing_here", "--models-dir", str(tmp_path), "--duration", "1"]) == 1
    assert "no model named 'nothing_here'" in capsys.readouterr().err
