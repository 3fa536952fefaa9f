# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Cycle-consistent video pairs: CSRT and teacher followers, the cycle filter, the bounded-attempts error."""
from __future__ import annotations

import re
import time
from dataclasses import replace

import numpy as np
import pytest
from scenes import ELLIPSE

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.types import Box
from light_tracker_ros.runtime import ModelSpec, create_tracker
from light_tracker_ros.training.video_pairs import (CsrtFollower, CycleConfig, LowYieldError, TrackerFollower,
                                                    cycle_pairs, cycle_track, implausible, track_pairs)

FRAMES, TRUTH = ELLIPSE.frames(40)
BOXES = [Box(*b) for b in TRUTH]
SHORT = CycleConfig(horizon=(8, 10), steps=(1, 2), targets=2, box_sizes=(20.0, 60.0), pairs_per_track=3)


@pytest.fixture(scope="module")
def tiny_teacher(tmp_path_factory) -> TrackerFollower:
    """Return a teacher follower running an untrained cnn_tiny through ONNX Runtime (random weights, seed 0)."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    folder = tmp_path_factory.mktemp("teacher")
    torch.manual_seed(0)
    export_onnx(build_model(architecture("cnn_tiny")).eval(), folder, "tiny")
    tracker = create_tracker(ModelSpec(str(folder / "tiny.onnx")), TrackerConfig(score_threshold=0.0))
    return TrackerFollower(tracker, min_score=0.0)


def test_csrt_follower_follows_the_moving_target() -> None:
    """CSRT at full resolution keeps the ellipse: IoU with the true box >= 0.6 on each of 12 frames."""
    boxes, scores = CsrtFollower(scale=1.0).follow(FRAMES[:12], BOXES[0])
    assert len(boxes) == len(scores) == 12
    assert min(b.iou(t) for b, t in zip(boxes, BOXES[:12])) >= 0.6


def test_teacher_follower_runs_the_tracker_and_resets_it(tiny_teacher: TrackerFollower) -> None:
    """The follower returns one finite box per frame (first = start box) and leaves the tracker idle."""
    boxes, scores = tiny_teacher.follow(FRAMES[:6], BOXES[0])
    assert len(boxes) == len(scores) == 6 and boxes[0] == BOXES[0]
    assert all(b.is_finite() and b.w > 0 and b.h > 0 for b in boxes)
    assert tiny_teacher.tracker.box is None and tiny_teacher.name == "tiny"


def test_plausibility_rules_name_the_broken_step() -> None:
    """True boxes pass; a 40-px jump, a doubled width and a box leaving the frame are named."""
    cfg = CycleConfig()
    h, w = FRAMES[0].shape[:2]
    assert implausible(BOXES[:12], w, h, cfg) is None
    jumped = BOXES[:5] + [Box(BOXES[5].x + 40, BOXES[5].y, BOXES[5].w, BOXES[5].h)]
    assert implausible(jumped, w, h, cfg) == "jump"
    wide = BOXES[:5] + [Box(BOXES[5].x, BOXES[5].y, 2 * BOXES[5].w, BOXES[5].h)]
    assert implausible(wide, w, h, cfg) == "size"
    out = [Box(w - 30 + 3 * i, 50, 30, 24) for i in range(8)]
    assert implausible(out, w, h, cfg) == "outside"


def test_cycle_filter_keeps_a_correct_trajectory_and_drops_a_wrong_one(tiny_teacher: TrackerFollower) -> None:
    """
    Keep CSRT's track of the moving ellipse and drop the untrained teacher's.

    CSRT's forward-backward track of the target is kept and matches the truth; the untrained teacher's track
    from the same start box is wrong (far from the truth) and is dropped.
    """
    clip, truth = FRAMES[:16], BOXES[:16]
    boxes, score, verdict = cycle_track(CsrtFollower(scale=1.0), clip, truth[0], CycleConfig())
    assert verdict == "kept" and score == 1.0
    assert min(b.iou(t) for b, t in zip(boxes, truth)) >= 0.6
    wrong = tiny_teacher.follow(clip, truth[0])
    assert wrong is not None and min(b.iou(t) for b, t in zip(wrong[0], truth)) < 0.3
    boxes, _, verdict = cycle_track(tiny_teacher, clip, truth[0], CycleConfig())
    assert boxes is None and verdict in ("jump", "size", "aspect", "outside", "cycle", "disagree")


def test_csrt_cycle_pairs_on_the_scene_and_recropped_tracks() -> None:
    """CSRT cycles make 20 pairs with boxes inside the search crop, record their yield, and re-crop at 32/64."""
    result = cycle_pairs([FRAMES], 20, seed=1, cfg=SHORT, template_size=32, search_size=64, progress=False)
    pairs = result.pairs
    assert pairs.templates.shape == (20, 32, 32, 3) and pairs.searches.shape == (20, 64, 64, 3)
    assert ((pairs.boxes[:, :2] > 0) & (pairs.boxes[:, :2] < 1)).all() and (pairs.boxes[:, 2:] <= 1).all()
    meta = result.meta()
    assert meta["labeller"] == "csrt" and 0 < meta["kept"] <= meta["attempted"]
    assert meta["attempted"] == meta["kept"] + sum(meta["dropped"].values())
    again = track_pairs([FRAMES], result.tracks, 10, seed=2, per_track=3, template_size=16, search_size=48)
    assert again.searches.shape == (10, 48, 48, 3)


def test_random_teacher_stops_with_a_one_line_low_yield_error(tiny_teacher: TrackerFollower) -> None:
    """Random weights close no cycle: LowYieldError after the bounded number of attempts, not an endless loop."""
    cfg = replace(SHORT, probe=12, min_yield=0.5, max_attempts=30)
    start = time.perf_counter()
    with pytest.raises(LowYieldError) as info:
        cycle_pairs([FRAMES], 500, seed=0, follower=tiny_teacher, cfg=cfg, progress=False)
    message = str(info.value)
    assert "\n" not in message and message.startswith("tiny kept ")
    kept, attempted = map(int, re.search(r"kept (\d+) of (\d+)", message).groups())
    assert attempted <= 30 and kept < 0.5 * attempted
    assert time.perf_counter() - start < 60


def test_a_flat_video_is_refused_after_bounded_clips() -> None:
    """A video with no texture gives no start box: a LowYieldError, not a loop."""
    flat = [np.full((120, 160, 3), 90, np.uint8)] * 30
    with pytest.raises(LowYieldError, match="no textured start box"):
        cycle_pairs([flat], 5, seed=0, cfg=replace(SHORT, max_attempts=20), progress=False)


def test_pairs_command_records_its_labeller_and_recrops_tracks(tmp_path) -> None:
    """
    ``light-tracker pairs --video-cycles`` writes pairs, labels.json and tracks.json; --from-tracks re-crops them.

    The training video is the moving-ellipse scene written as an AVI where the data cache keeps Megamind.avi.
    """
    import json

    import cv2

    from light_tracker_ros.cli.main import main
    from light_tracker_ros.data.pairs import PairArrays
    from light_tracker_ros.training.sources import EXAMPLES
    folder = tmp_path / "raw" / EXAMPLES
    folder.mkdir(parents=True)
    writer = cv2.VideoWriter(str(folder / "Megamind.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 25, (320, 240))
    for frame in FRAMES:
        writer.write(frame)
    writer.release()
    first, second = tmp_path / "csrt", tmp_path / "recropped"
    assert main(["pairs", "--video-cycles", "--count", "12", "--template-size", "32", "--search-size", "64",
                 "--data-dir", str(tmp_path), "--out", str(first)]) == 0
    labels = json.loads((first / "labels.json").read_text())
    tracks = json.loads((first / "tracks.json").read_text())["tracks"]
    assert labels["labeller"] == "csrt" and labels["videos"] == ["Megamind.avi"] and len(tracks) == labels["kept"]
    assert len(PairArrays.load(first)) == labels["pairs"] == 12
    assert main(["pairs", "--video-cycles", "--from-tracks", str(first / "tracks.json"), "--count", "8",
                 "--template-size", "16", "--search-size", "48", "--data-dir", str(tmp_path),
                 "--out", str(second)]) == 0
    again = json.loads((second / "labels.json").read_text())
    assert (again["labeller"], again["pairs"], again["search_size"]) == ("csrt", 8, 48)
    assert PairArrays.load(second).searches.shape == (8, 48, 48, 3)
    (first / "tracks.json").write_text(json.dumps({"tracks": [{"video": 0}]}))  # a track without frames
    assert main(["pairs", "--video-cycles", "--from-tracks", str(first / "tracks.json"), "--count", "8",
                 "--data-dir", str(tmp_path), "--out", str(tmp_path / "third")]) == 2
    assert not (tmp_path / "third").exists()
