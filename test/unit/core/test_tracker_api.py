# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The tracker API on generated frames: following known motion, reset, lost state, timings."""
from __future__ import annotations

import numpy as np
import pytest
from scenes import ELLIPSE

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import NotInitializedError
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.core.types import Box, TrackState


def test_follows_target_with_known_motion(trained_tiny_model) -> None:
    """A trained tiny model keeps the moving ellipse: mean IoU above 0.5 and final centre within 8 px."""
    frames, boxes = ELLIPSE.frames(40)
    tracker = Tracker(open_backend(trained_tiny_model), TrackerConfig(score_threshold=0.1))
    tracker.init(frames[0], tuple(boxes[0]))
    ious = []
    for frame, truth in zip(frames[1:], boxes[1:]):
        result = tracker.update(frame)
        ious.append(result.box.iou(Box(*truth)))
    last = tracker.box
    assert np.mean(ious) > 0.5, f"mean IoU {np.mean(ious):.2f}"
    assert abs(last.cx - Box(*boxes[-1]).cx) < 8 and abs(last.cy - Box(*boxes[-1]).cy) < 8
    # a static tracker would have lost it: the target moved far from its start
    assert Box(*boxes[0]).iou(Box(*boxes[-1])) == 0.0


def test_result_carries_timings_and_state(trained_tiny_model) -> None:
    """Every result has positive stage timings, a score in [0, 1] and a state."""
    frames, boxes = ELLIPSE.frames(3)
    tracker = Tracker(open_backend(trained_tiny_model))
    tracker.init(frames[0], tuple(boxes[0]))
    result = tracker.update(frames[1])
    assert result.timings.inference_ms > 0 and result.timings.preprocess_ms > 0
    assert result.timings.total_ms >= result.timings.inference_ms
    assert 0.0 <= result.score <= 1.0
    assert result.state in (TrackState.TRACKING, TrackState.LOST)


def test_update_before_init_and_after_reset_raises(trained_tiny_model) -> None:
    """update() needs init(); reset() drops the target."""
    frames, boxes = ELLIPSE.frames(2)
    tracker = Tracker(open_backend(trained_tiny_model))
    with pytest.raises(NotInitializedError, match="before init"):
        tracker.update(frames[0])
    tracker.init(frames[0], tuple(boxes[0]))
    tracker.reset()
    assert tracker.state is TrackState.IDLE and tracker.box is None
    with pytest.raises(NotInitializedError):
        tracker.update(frames[1])


def test_lost_after_consecutive_low_scores(trained_tiny_model) -> None:
    """With an unreachable threshold the tracker keeps its box and turns LOST after lost_after frames."""
    frames, boxes = ELLIPSE.frames(6)
    tracker = Tracker(open_backend(trained_tiny_model), TrackerConfig(score_threshold=1.0, lost_after=3))
    tracker.init(frames[0], tuple(boxes[0]))
    states = [tracker.update(f).state for f in frames[1:5]]
    assert states == [TrackState.TRACKING, TrackState.TRACKING, TrackState.LOST, TrackState.LOST]
    assert tracker.box == Box(*boxes[0])
