# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The node tracks over real DDS: boxes follow the target, carry the image's stamp, for every input path."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from geometry_msgs.msg import Point
from ros_fixtures import FOLLOW_PARAMS, Harness, scene_frame, stamp_ns
from sensor_msgs.msg import Image
from std_srvs.srv import SetBool, Trigger

from light_tracker_ros.core.types import Box
from light_tracker_ros.ros import vision

needs_vision = pytest.mark.skipif(not vision.HAVE_VISION_MSGS, reason="vision_msgs is not installed")


@pytest.fixture
def harness(context, follow_model: Path):
    """Return a tracker node running the follow model, with a driver node."""
    h = Harness(context, {"model": str(follow_model), **FOLLOW_PARAMS})
    yield h
    h.close()


def test_box_follows_moving_target_with_matching_stamps(harness: Harness) -> None:
    """~/box and ~/roi (and ~/detections) follow the ellipse; each box has its image's stamp and frame_id."""
    frame, truth = scene_frame(0)
    first = harness.init_roi(frame, truth)
    assert first.iou(truth) > 0.9
    ious, headers = [], []
    for i in range(1, 30):
        frame, truth = scene_frame(i)
        header, box = harness.track_frame(frame)
        headers.append(header)
        ious.append(box.iou(truth))
    assert min(ious) > 0.5, f"box lost the target: IoUs {np.round(ious, 2)}"
    last = harness.box_for(headers[-1])
    assert last.cx - first.cx > 40, "the box did not move with the target"
    harness.wait_for(lambda: len(harness.rois) >= 30, 5.0, "one ~/roi per frame")
    roi = harness.rois[-1]
    assert abs(roi.x_offset - last.x) <= 1 and abs(roi.width - last.w) <= 1
    if vision.HAVE_VISION_MSGS:
        want = {stamp_ns(h) for h in headers}
        harness.wait_for(lambda: want <= {stamp_ns(d.header) for d in harness.detections}, 5.0, "detections")
        det = [d for d in harness.detections if stamp_ns(d.header) == stamp_ns(headers[-1])][0]
        assert det.header.frame_id == "cam" and len(det.detections) == 1
        assert det.detections[0].id == "1", "the track id must stay the same while tracking one target"
        assert abs(vision.detection_to_box(det.detections[0]).cx - last.cx) < 1e-3
        assert 0.0 < det.detections[0].results[0].hypothesis.score <= 1.0


def test_every_encoding_gives_the_same_box(harness: Harness) -> None:
    """
    rgb8, rgba8 and bgra8 frames give exactly the box of bgr8; mono8 frames are tracked too.

    Each encoding starts from the same state: ~/reset (answered before the next frame is taken), then the
    same init on the same frame 0, then frames 1-3 one at a time (each waited for, so none is dropped).
    """
    results = {}
    for encoding in ("bgr8", "rgb8", "rgba8", "bgra8", "mono8"):
        assert harness.call(Trigger, "reset", Trigger.Request()).success
        frame, truth = scene_frame(0)
        first = harness.init_roi(frame, truth)
        assert np.allclose(first.as_tuple(), truth.as_tuple()), f"{encoding}: the init box must come back as sent"
        boxes = [harness.track_frame(scene_frame(i)[0], encoding=encoding)[1] for i in (1, 2, 3)]
        results[encoding] = boxes
    for encoding in ("rgb8", "rgba8", "bgra8"):
        for a, b in zip(results["bgr8"], results[encoding]):
            assert np.allclose(a.as_tuple(), b.as_tuple(), atol=1e-3), f"{encoding} differs from bgr8"
    assert all(b.is_finite() for b in results["mono8"])


def test_compressed_input_jpeg_and_png(context, follow_model: Path) -> None:
    """With image_transport=compressed, jpeg and png frames on image/compressed are tracked."""
    harness = Harness(context, {"model": str(follow_model), "image_transport": "compressed", **FOLLOW_PARAMS})
    try:
        harness.wait_for(lambda: harness.jpeg_pub.get_subscription_count() > 0, 10.0, "compressed subscriber")
        assert harness.image_pub.get_subscription_count() == 0, "raw images must not be subscribed"
        frame, truth = scene_frame(0)
        roi_box = Box(truth.x, truth.y, truth.w, truth.h)
        from sensor_msgs.msg import RegionOfInterest
        roi = RegionOfInterest(x_offset=int(roi_box.x), y_offset=int(roi_box.y), width=int(roi_box.w),
                               height=int(roi_box.h))
        harness.roi_pub.publish(roi)
        time.sleep(0.2)
        for i in range(0, 16):
            frame, truth = scene_frame(i)
            fmt = "png" if i % 2 else "jpeg"
            header, box = harness.track_frame(frame, compressed=fmt)
            assert box.iou(truth) > 0.5, f"frame {i} ({fmt}): IoU {box.iou(truth):.2f}"
    finally:
        harness.close()


def test_click_point_initialises_a_box_of_the_configured_size(context, follow_model: Path) -> None:
    """A geometry_msgs/Point on the click topic starts tracking a click_box_width x click_box_height box."""
    harness = Harness(context, {"model": str(follow_model), "click_box_width": 24, "click_box_height": 18,
                                **FOLLOW_PARAMS})
    try:
        frame, truth = scene_frame(0)
        box = harness.init_with(lambda: harness.click_pub.publish(Point(x=truth.cx, y=truth.cy)), frame)
        assert (round(box.w), round(box.h)) == (24, 18)
        assert box.iou(truth) > 0.9
        for i in range(1, 10):
            frame, truth = scene_frame(i)
            assert harness.track_frame(frame)[1].iou(truth) > 0.5
    finally:
        harness.close()


def _detection(box: Box, class_id: str, score: float):
    det = vision.Detection2D()
    center = det.bbox.center
    if hasattr(center, "position"):
        center.position.x, center.position.y = float(box.cx), float(box.cy)
    else:
        center.x, center.y = float(box.cx), float(box.cy)
    det.bbox.size_x, det.bbox.size_y = float(box.w), float(box.h)
    hyp = vision.ObjectHypothesisWithPose()
    hyp.hypothesis.class_id, hyp.hypothesis.score = class_id, float(score)
    det.results.append(hyp)
    return det


@needs_vision
def test_init_detection_starts_tracking(context, follow_model: Path) -> None:
    """A vision_msgs/Detection2D of the target class on ~/init_detection starts tracking."""
    harness = Harness(context, {"model": str(follow_model), "target_class": "ball", **FOLLOW_PARAMS})
    try:
        frame, truth = scene_frame(0)
        box = harness.init_with(lambda: harness.det_pub.publish(_detection(truth, "ball", 0.9)), frame)
        assert box.iou(truth) > 0.9
        header, box = harness.track_frame(scene_frame(1)[0])
        harness.wait_for(lambda: any(stamp_ns(d.header) == stamp_ns(header) for d in harness.detections), 5.0,
                         "detections")
        det = [d for d in harness.detections if stamp_ns(d.header) == stamp_ns(header)][0]
        assert det.detections[0].results[0].hypothesis.class_id == "ball"
    finally:
        harness.close()


@needs_vision
def test_detector_handoff_takes_the_best_detection_of_the_class(context, follow_model: Path) -> None:
    """With no target, the best 'ball' detection of a Detection2DArray (not the better 'car') starts tracking."""
    harness = Harness(context, {"model": str(follow_model), "handoff_topic": "/detector/detections",
                                "target_class": "ball", "min_detection_score": 0.5, **FOLLOW_PARAMS})
    try:
        pub = harness.driver.create_publisher(vision.Detection2DArray, "/detector/detections", 10)
        harness.wait_for(lambda: pub.get_subscription_count() > 0, 10.0, "hand-off subscriber")
        frame, truth = scene_frame(0)
        array = vision.Detection2DArray()
        array.detections = [_detection(Box(100, 10, 30, 30), "car", 0.99), _detection(truth, "ball", 0.8),
                            _detection(Box(5, 80, 20, 20), "ball", 0.3)]
        box = harness.init_with(lambda: pub.publish(array), frame)
        assert box.iou(truth) > 0.9
        # while tracking, further detections do not re-initialise
        other = vision.Detection2DArray()
        other.detections = [_detection(Box(5, 80, 20, 20), "ball", 0.95)]
        pub.publish(other)
        time.sleep(0.2)
        frame, truth = scene_frame(1)
        assert harness.track_frame(frame)[1].iou(truth) > 0.5
    finally:
        harness.close()


def test_reset_and_enable_services(harness: Harness) -> None:
    """~/reset drops the target (no more boxes); ~/enable false pauses and true resumes."""
    frame, truth = scene_frame(0)
    harness.init_roi(frame, truth)
    harness.track_frame(scene_frame(1)[0])
    response = harness.call(Trigger, "reset", Trigger.Request())
    assert response.success
    header = harness.publish(scene_frame(2)[0])
    with pytest.raises(AssertionError, match="timed out"):
        harness.box_for(header, timeout=0.7)
    diag = harness.latest_diagnostics(predicate=lambda d: int(d["frames_processed"]) >= 3)
    assert diag["tracking_state"] == "idle"

    harness.init_roi(*scene_frame(3))
    response = harness.call(SetBool, "enable", SetBool.Request(data=False))
    assert response.success and "paused" in response.message
    assert harness.tracker.lifecycle_state == "inactive"
    harness.wait_for(lambda: harness.image_pub.get_subscription_count() == 0, 10.0, "the node to unsubscribe")
    header = harness.publish(scene_frame(4)[0])
    with pytest.raises(AssertionError, match="timed out"):
        harness.box_for(header, timeout=0.7)
    diag = harness.latest_diagnostics(predicate=lambda d: d["lifecycle_state"] == "inactive")
    assert diag["enabled"] == "False" and diag["_message"].startswith("paused")
    assert harness.call(SetBool, "enable", SetBool.Request(data=True)).success
    harness.wait_for(lambda: harness.image_pub.get_subscription_count() > 0, 10.0, "the node to subscribe again")
    frame, truth = scene_frame(5)
    assert harness.track_frame(frame)[1].iou(truth) > 0.5, "the target is kept across pause and resume"
    diag = harness.latest_diagnostics(predicate=lambda d: d["lifecycle_state"] == "active")
    assert diag["enabled"] == "True" and diag["_message"] == "tracking"


def test_debug_image_only_while_subscribed(harness: Harness) -> None:
    """~/debug_image is published only with a subscriber, and shows the box in green."""
    frame, truth = scene_frame(0)
    harness.init_roi(frame, truth)
    assert harness.tracker._outputs["debug"].get_subscription_count() == 0
    images: list[Image] = []
    harness.driver.create_subscription(Image, f"{harness.tracker.get_fully_qualified_name()}/debug_image",
                                       images.append, 10)
    harness.wait_for(lambda: harness.tracker._outputs["debug"].get_subscription_count() > 0, 10.0, "debug subscriber")
    header, box = harness.track_frame(scene_frame(1)[0])
    harness.wait_for(lambda: any(stamp_ns(m.header) == stamp_ns(header) for m in images), 5.0, "a debug image")
    msg = [m for m in images if stamp_ns(m.header) == stamp_ns(header)][0]
    pixels = np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, 3)
    top_edge = pixels[int(round(box.y)), int(box.x) + 2: int(box.x + box.w) - 2]
    assert msg.encoding == "bgr8" and (top_edge == (0, 255, 0)).all(axis=1).mean() > 0.8
