# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Metrics on hand-computed cases."""
from __future__ import annotations

import math

import numpy as np
import pytest

from light_tracker_ros.evaluation import metrics


def _track(n: int = 6) -> np.ndarray:
    return np.array([[10.0 + i, 20.0, 10.0, 10.0] for i in range(n)])


def test_iou_hand_computed():
    pred = np.array([[0, 0, 10, 10], [5, 0, 10, 10], [20, 20, 5, 5], [0, 0, 10, 10]], dtype=float)
    gt = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [np.nan] * 4])
    ious = metrics.iou(pred, gt)
    assert ious[:3] == pytest.approx([1.0, 50 / 150, 0.0])
    assert math.isnan(ious[3])


def test_perfect_track_scores_full_precision_and_twenty_of_21_success_points():
    gt = _track()
    scores = metrics.score_sequence(gt.copy(), gt, times_ms=np.full(6, 5.0))
    # IoU == 1 passes every threshold but the last (success means IoU > t, and no IoU exceeds 1)
    assert scores.success_curve == pytest.approx([1.0] * 20 + [0.0])
    assert scores.auc == pytest.approx(20 / 21)
    assert scores.precision_20 == 1.0
    assert scores.norm_precision == 1.0
    assert scores.n_scored == 5  # the initialisation frame is excluded
    assert scores.fps == pytest.approx(200.0)


def test_constant_offset_gives_known_success_curve():
    gt = _track()
    pred = gt + [5.0, 0.0, 0.0, 0.0]  # half a box to the right: IoU = 50 / 150 = 1/3
    scores = metrics.score_sequence(pred, gt)
    expected = (metrics.IOU_THRESHOLDS < 1 / 3).astype(float)  # 0, 0.05, ..., 0.30 pass
    assert scores.success_curve == pytest.approx(expected.tolist())
    assert scores.auc == pytest.approx(7 / 21)
    assert scores.precision_20 == 1.0  # centre distance 5 px
    # normalised distance 5 / 10 = 0.5 is within only the last threshold (0.5)
    assert scores.norm_precision == pytest.approx(1 / 51)
    assert scores.precision_curve[4] == 0.0 and scores.precision_curve[5] == 1.0


def test_nan_ground_truth_frames_are_skipped():
    gt = _track(8)
    pred = gt.copy()
    gt[[3, 5]] = np.nan
    pred[[3, 5]] = [500.0, 500.0, 1.0, 1.0]  # wildly wrong where nothing is annotated
    scores = metrics.score_sequence(pred, gt)
    assert scores.n_scored == 5
    assert scores.precision_20 == 1.0
    assert scores.auc == pytest.approx(20 / 21)


def test_init_frame_is_excluded_and_defaults_to_first_annotated():
    gt = _track(5)
    gt[:2] = np.nan
    pred = gt.copy()
    pred[2] = [300.0, 300.0, 10.0, 10.0]  # a wrong box on the initialisation frame must not count
    assert metrics.first_annotated(gt) == 2
    scores = metrics.score_sequence(pred, gt)
    assert scores.n_scored == 2
    assert scores.precision_20 == 1.0
    scored_from_0 = metrics.score_sequence(pred, gt, init_index=0)  # frame 0 is NaN anyway: frame 2 now counts
    assert scored_from_0.n_scored == 3
    assert scored_from_0.precision_20 == pytest.approx(2 / 3)


def test_missing_prediction_counts_as_a_miss():
    gt = _track(3)
    pred = gt.copy()
    pred[2] = np.nan
    scores = metrics.score_sequence(pred, gt)
    assert scores.precision_20 == pytest.approx(0.5)
    assert scores.success_curve[0] == pytest.approx(0.5)


def test_fps_and_mean_over_sequences():
    assert metrics.frames_per_second(np.array([10.0, 20.0, np.nan])) == pytest.approx(1000 / 15)
    assert math.isnan(metrics.frames_per_second(np.array([np.nan])))
    gt = _track()
    perfect = metrics.score_sequence(gt, gt, np.full(6, 10.0))
    offset = metrics.score_sequence(gt + [5.0, 0, 0, 0], gt, np.full(6, 30.0))
    mean = metrics.mean_scores([perfect, offset], n_updates=[3, 1])
    assert mean.auc == pytest.approx((20 / 21 + 7 / 21) / 2)
    assert mean.ms_per_frame == pytest.approx((3 * 10.0 + 1 * 30.0) / 4)
    assert mean.n_scored == 10


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="shape"):
        metrics.score_sequence(np.zeros((3, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        metrics.iou(np.zeros((3, 3)), np.zeros((3, 3)))
