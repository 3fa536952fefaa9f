# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Bad input never kills the node: each kind is rejected, counted in diagnostics, and the next frame is tracked."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geometry_msgs.msg import Point
from ros_fixtures import FOLLOW_PARAMS, Harness, scene_frame
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header

from light_tracker_ros.core.types import Box
from light_tracker_ros.ros import vision
from light_tracker_ros.ros.conversions import bgr_to_image


@pytest.fixture
def harness(context, follow_model: Path):
    """Return a node tracking the scene's target, raw images."""
    h = Harness(context, {"model": str(follow_model), **FOLLOW_PARAMS})
    h.init_roi(*scene_frame(0))
    yield h
    h.close()


def _image(**changes) -> Image:
    msg = bgr_to_image(scene_frame(1)[0], Header(frame_id="cam"))
    for key, value in changes.items():
        setattr(msg, key, value)
    return msg


def _bad_images() -> dict[str, Image]:
    good = bgr_to_image(scene_frame(1)[0], Header(frame_id="cam"))
    data = bytes(good.data)
    return {
        "encoding": _image(encoding="32FC1"),
        "empty": _image(width=0, height=0, step=0, data=b""),
        "truncated": _image(data=data[: len(data) // 2]),
        "step": _image(step=good.step - 3),
        "step_padding": _image(step=good.step + 8),
    }


@pytest.mark.parametrize("kind", ["encoding", "empty", "truncated", "step", "step_padding"])
def test_bad_image_is_rejected_and_counted(harness: Harness, kind: str) -> None:
    """Unsupported encoding, empty image, truncated data or a step that does not match: counted, node goes on."""
    msg = _bad_images()[kind]
    msg.header = harness.header()
    harness.image_pub.publish(msg)
    expected = "step" if kind == "step_padding" else kind
    diag = harness.latest_diagnostics(predicate=lambda d: int(d.get(f"rejected_{expected}", 0)) >= 1)
    assert int(diag["frames_rejected"]) >= 1
    for i in (1, 2):
        frame, truth = scene_frame(i)
        assert harness.track_frame(frame)[1].iou(truth) > 0.5


def test_padded_rows_are_accepted(harness: Harness) -> None:
    """A step larger than width*channels with the data to match (row padding) is a valid image."""
    frame, truth = scene_frame(1)
    padded = np.zeros((frame.shape[0], frame.shape[1] * 3 + 16), np.uint8)
    padded[:, : frame.shape[1] * 3] = frame.reshape(frame.shape[0], -1)
    header = harness.header()
    msg = Image(header=header, height=frame.shape[0], width=frame.shape[1], encoding="bgr8",
                step=padded.shape[1], data=padded.tobytes())
    harness.image_pub.publish(msg)
    assert harness.box_for(header).iou(truth) > 0.5


def test_corrupt_compressed_images_are_rejected(context, follow_model: Path) -> None:
    """Undecodable jpeg data, an unsupported format and an empty message are counted; tracking goes on."""
    h = Harness(context, {"model": str(follow_model), "image_transport": "compressed", **FOLLOW_PARAMS})
    try:
        h.wait_for(lambda: h.jpeg_pub.get_subscription_count() > 0, 10.0, "compressed subscriber")
        h.roi_pub.publish(RegionOfInterest(x_offset=28, y_offset=51, width=24, height=18))
        for fmt, data, kind in (("jpeg", b"\xff\xd8garbage", "decode"), ("tiff", b"II*\x00", "encoding"),
                                ("png", b"", "empty")):
            # one at a time: the node keeps only the newest frame
            h.jpeg_pub.publish(CompressedImage(header=h.header(), format=fmt, data=data))
            h.latest_diagnostics(predicate=lambda d: int(d.get(f"rejected_{kind}", 0)) >= 1)
        frame, truth = scene_frame(0)
        assert h.track_frame(frame, compressed="jpeg")[1].iou(truth) > 0.5
    finally:
        h.close()


def test_box_outside_the_image_is_rejected_and_the_target_kept(harness: Harness) -> None:
    """An ROI outside the image, an ROI of zero size and a NaN click are rejected; the old target goes on."""
    harness.roi_pub.publish(RegionOfInterest(x_offset=5000, y_offset=5000, width=20, height=20))
    harness.roi_pub.publish(RegionOfInterest(x_offset=0, y_offset=0, width=0, height=0))
    harness.click_pub.publish(Point(x=float("nan"), y=10.0))
    # the outside ROI is checked on the first frame taken after it arrived (frames may overtake it): feed some
    diag = harness.feed_until(lambda d: int(d.get("rejected_box", 0)) >= 3)
    assert diag["track_id"] == "1"
    for i in (2, 3, 4):
        frame, truth = scene_frame(i)
        assert harness.track_frame(frame)[1].iou(truth) > 0.5


@pytest.mark.skipif(not vision.HAVE_VISION_MSGS, reason="vision_msgs is not installed")
def test_detection_of_unknown_class_or_nan_box_is_rejected(context, follow_model: Path) -> None:
    """~/init_detection of a class other than target_class, or with a NaN box, is counted and ignored."""
    h = Harness(context, {"model": str(follow_model), "target_class": "ball", **FOLLOW_PARAMS})
    try:
        h.init_roi(*scene_frame(0))
        for class_id, box in (("car", Box(10, 10, 20, 20)), ("ball", Box(float("nan"), 10, 20, 20))):
            det = vision.Detection2D()
            det.bbox.size_x, det.bbox.size_y = float(box.w), float(box.h)
            center = det.bbox.center
            if hasattr(center, "position"):
                center.position.x, center.position.y = float(box.cx), float(box.cy)
            else:
                center.x, center.y = float(box.cx), float(box.cy)
            hyp = vision.ObjectHypothesisWithPose()
            hyp.hypothesis.class_id, hyp.hypothesis.score = class_id, 0.9
            det.results.append(hyp)
            h.det_pub.publish(det)
        diag = h.latest_diagnostics(predicate=lambda d: int(d.get("rejected_detection_class", 0)) >= 1
                                    and int(d.get("rejected_box", 0)) >= 1)
        assert diag["track_id"] == "1"
        frame, truth = scene_frame(1)
        assert h.track_frame(frame)[1].iou(truth) > 0.5
    finally:
        h.close()


def test_missing_model_at_start_keeps_the_node_running(context, tmp_path: Path, model_dir: Path) -> None:
    """
    Check that a missing model at start-up leaves the node up and waiting.

    Its configure fails: the node stays unconfigured (not subscribed), reports ERROR with the reason, and
    autostart configures and activates it once a valid model is set.
    """
    h = Harness(context, {"model": "missing", "model_dirs": [str(model_dir)]}, subscribed=False)
    try:
        diag = h.latest_diagnostics(predicate=lambda d: d["lifecycle_state"] == "unconfigured")
        assert h.levels[-1] == b"\x02" and "no model loaded" in diag["_message"] and "missing" in diag["last_error"]
        assert h.image_pub.get_subscription_count() == 0
        from rcl_interfaces.srv import SetParameters
        from rclpy.parameter import Parameter
        request = SetParameters.Request(parameters=[
            Parameter("model", value="cnn_tiny").to_parameter_msg()])
        assert all(r.successful for r in h.call(SetParameters, "set_parameters", request).results)
        h.wait_for(lambda: h.image_pub.get_subscription_count() > 0, 20.0, "the node to configure and subscribe")
        h.publish(scene_frame(1)[0])
        diag = h.latest_diagnostics(predicate=lambda d: d["model"] == "cnn_tiny" and d["lifecycle_state"] == "active")
        assert diag["model_family"] == "cnn" and diag["last_error"] == "none"
    finally:
        h.close()
