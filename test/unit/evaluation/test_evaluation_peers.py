# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""OpenCV peers behind the tracker API."""
from __future__ import annotations

import numpy as np
import pytest
from scenes import SQUARE

from light_tracker_ros.core.errors import ConfigError, NotInitializedError
from light_tracker_ros.core.types import TrackState
from light_tracker_ros.evaluation.peers import create_peer, parse_peers


@pytest.mark.parametrize("kind", ["csrt", "kcf", "mil"])
def test_peer_follows_a_moving_square(kind):
    frames, boxes = SQUARE.frames(12)
    peer = create_peer(kind)
    assert peer.name == kind.upper()
    peer.init(frames[0], tuple(boxes[0]))
    errors = []
    for frame, box in zip(frames[1:], boxes[1:]):
        result = peer.update(frame)
        errors.append(np.hypot(result.box.cx - (box[0] + box[2] / 2), result.box.cy - (box[1] + box[3] / 2)))
        assert result.found and result.score == 1.0 and result.state == TrackState.TRACKING
        assert result.timings.inference_ms > 0
    assert max(errors) < 6.0  # the square moved 33 px; a lost tracker would lag far behind


def test_peer_lifecycle_and_errors():
    frames, boxes = SQUARE.frames(2)
    peer = create_peer("KCF")
    with pytest.raises(NotInitializedError, match="before init"):
        peer.update(frames[0])
    peer.init(frames[0], tuple(boxes[0]))
    assert peer.state == TrackState.TRACKING
    peer.reset()
    assert peer.state == TrackState.IDLE and peer.box is None
    with pytest.raises(NotInitializedError):
        peer.update(frames[1])
    with pytest.raises(ConfigError, match="unknown peer tracker 'boosting'"):
        create_peer("boosting")


def test_parse_peers():
    assert parse_peers("csrt, KCF,mil") == ["csrt", "kcf", "mil"]
    assert parse_peers("none") == [] and parse_peers("") == []
    with pytest.raises(ConfigError, match="tld"):
        parse_peers("csrt,tld")
