# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Detection2D boxes without DDS: NaN, Inf and absurd sizes are refused (where vision_msgs is installed)."""
from __future__ import annotations

import pytest

from light_tracker_ros.core.errors import InvalidBoxError
from light_tracker_ros.ros import vision

pytestmark = pytest.mark.skipif(not vision.HAVE_VISION_MSGS, reason="vision_msgs is not installed")


def _detection(cx: float, cy: float, w: float, h: float):
    det = vision.Detection2D()
    center = det.bbox.center
    if hasattr(center, "position"):
        center.position.x, center.position.y = cx, cy
    else:
        center.x, center.y = cx, cy
    det.bbox.size_x, det.bbox.size_y = w, h
    return det


@pytest.mark.parametrize("values,rule", [
    ((float("nan"), 10.0, 20.0, 20.0), "non-finite"), ((10.0, 10.0, float("inf"), 20.0), "non-finite"),
    ((10.0, 10.0, 1e300, 20.0), "beyond 1e\\+06 pixels"), ((-1e9, 10.0, 20.0, 20.0), "beyond")])
def test_bad_detection_boxes_are_refused(values, rule: str) -> None:
    """Non-finite or absurd centres and sizes raise InvalidBoxError naming the rule."""
    with pytest.raises(InvalidBoxError, match=rule):
        vision.detection_to_box(_detection(*values))


def test_good_detection_box() -> None:
    """A normal detection becomes the pixel box around its centre."""
    assert vision.detection_to_box(_detection(50.0, 40.0, 20.0, 10.0)).as_tuple() == (40.0, 35.0, 20.0, 10.0)
