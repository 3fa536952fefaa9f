# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
vision_msgs support, used when the package is installed (``HAVE_VISION_MSGS``) and switched off otherwise.

Boxes in Detection2D are centre and size in pixels; vision_msgs 4.x keeps the centre in ``center.position``,
older releases in ``center.x``/``center.y``: both are read and written.
"""
from __future__ import annotations

import math
from typing import Any

from std_msgs.msg import Header

from light_tracker_ros.core.errors import InvalidBoxError
from light_tracker_ros.core.types import Box

try:
    from vision_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose
    HAVE_VISION_MSGS = True
except ImportError:  # not installed (plain virtual environment): detections are switched off
    Detection2D = Detection2DArray = ObjectHypothesisWithPose = None
    HAVE_VISION_MSGS = False

#: a detection coordinate beyond this many pixels is refused (no camera is that large)
MAX_COORDINATE = 1e6


def _center(det: Any) -> tuple[float, float]:
    center = det.bbox.center
    if hasattr(center, "position"):
        return float(center.position.x), float(center.position.y)
    return float(center.x), float(center.y)


def best_hypothesis(det: Any) -> tuple[str, float]:
    """(class_id, score) of the best-scored result of a detection, ('', 1.0) when it has none."""
    if not det.results:
        return "", 1.0
    best = max(det.results, key=lambda r: r.hypothesis.score)
    return str(best.hypothesis.class_id), float(best.hypothesis.score)


def detection_class_score(det: Any, target_class: str) -> tuple[str, float] | None:
    """(class, score) of the detection for ``target_class`` ('' = any class), or None when it has no such class."""
    if not target_class:
        return best_hypothesis(det)
    scores = [float(r.hypothesis.score) for r in det.results if r.hypothesis.class_id == target_class]
    return (target_class, max(scores)) if scores else None


def detection_to_box(det: Any) -> Box:
    """
    Return the pixel box of a Detection2D.

    :raises InvalidBoxError: non-finite centre or size, or a value beyond MAX_COORDINATE.
    """
    cx, cy = _center(det)
    values = (cx, cy, float(det.bbox.size_x), float(det.bbox.size_y))
    if not all(math.isfinite(v) for v in values):
        raise InvalidBoxError(f"detection box has a non-finite value: centre ({cx}, {cy}), size "
                              f"({det.bbox.size_x}, {det.bbox.size_y})")
    if any(abs(v) > MAX_COORDINATE for v in values):
        raise InvalidBoxError(f"detection box has a value beyond {MAX_COORDINATE:g} pixels: centre ({cx:g}, {cy:g}), "
                              f"size ({values[2]:g}, {values[3]:g})")
    return Box.from_center(*values)


def best_detection(array: Any, target_class: str, min_score: float) -> tuple[Any, str, float] | None:
    """Return (detection, class, score) of the best ``target_class`` detection ('' = any) scored >= ``min_score``."""
    best = None
    for det in array.detections:
        found = detection_class_score(det, target_class)
        if found is not None and found[1] >= min_score and (best is None or found[1] > best[2]):
            best = (det, found[0], found[1])
    return best


def make_detections(header: Header, box: Box | None, score: float, track_id: str, class_id: str) -> Any:
    """Build a Detection2DArray with the tracked box (empty when ``box`` is None)."""
    out = Detection2DArray(header=header)
    if box is None:
        return out
    det = Detection2D(header=header, id=track_id)
    center = det.bbox.center
    if hasattr(center, "position"):
        center.position.x, center.position.y = float(box.cx), float(box.cy)
    else:
        center.x, center.y = float(box.cx), float(box.cy)
    det.bbox.size_x, det.bbox.size_y = float(box.w), float(box.h)
    hyp = ObjectHypothesisWithPose()
    hyp.hypothesis.class_id = class_id
    hyp.hypothesis.score = float(score)
    det.results.append(hyp)
    out.detections.append(det)
    return out
