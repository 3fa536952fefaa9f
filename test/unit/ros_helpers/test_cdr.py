# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A serialized sensor_msgs/Image read without copying its pixels matches rclpy's deserialization."""
from __future__ import annotations

import numpy as np
import pytest
from builtin_interfaces.msg import Time
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from light_tracker_ros.ros.cdr import CdrError, image_from_cdr
from light_tracker_ros.ros.conversions import bgr_to_image, image_to_bgr

FIELDS = ("height", "width", "encoding", "is_bigendian", "step")


@pytest.mark.parametrize("frame_id", ["", "cam", "a_longer_optical_frame"])
@pytest.mark.parametrize("encoding", ["bgr8", "rgb8", "mono8", "bgra8"])
def test_fields_and_pixels_match_rclpy(frame_id: str, encoding: str) -> None:
    """Every field, the stamp and the pixels equal rclpy's; the frame converts to the same BGR array."""
    frame = np.random.default_rng(0).integers(0, 255, (37, 51, 3), dtype=np.uint8)
    raw = serialize_message(bgr_to_image(frame, Header(stamp=Time(sec=7, nanosec=9), frame_id=frame_id), encoding))
    ours, theirs = image_from_cdr(raw), deserialize_message(raw, Image)
    assert [getattr(ours, f) for f in FIELDS] == [getattr(theirs, f) for f in FIELDS]
    assert (ours.header.stamp.sec, ours.header.stamp.nanosec, ours.header.frame_id) == (7, 9, frame_id)
    assert bytes(ours.data) == bytes(theirs.data)
    assert np.array_equal(image_to_bgr(ours), image_to_bgr(theirs))


def test_pixels_are_a_view_of_the_serialized_bytes() -> None:
    """The data is not copied: it points into the message bytes."""
    raw = serialize_message(bgr_to_image(np.zeros((4, 4, 3), np.uint8), Header()))
    data = image_from_cdr(raw).data
    assert isinstance(data, memoryview) and data.obj is raw


@pytest.mark.parametrize("raw", [b"", b"\x07\x07\x00\x00" + bytes(40), None])
def test_anything_else_is_refused(raw: bytes | None) -> None:
    """Unknown encapsulation, nothing, or a message cut short: CdrError (the node then asks rclpy)."""
    if raw is None:
        raw = serialize_message(bgr_to_image(np.zeros((8, 8, 3), np.uint8), Header(frame_id="cam")))[:-10]
    with pytest.raises(CdrError):
        image_from_cdr(raw)
