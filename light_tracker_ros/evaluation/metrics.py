# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
One-pass evaluation metrics on box arrays (pure numpy).

Boxes are (N, 4) float arrays of pixel ``x, y, w, h`` with (x, y) the top-left corner, one row per frame.

Scoring rules:

- a frame whose ground truth is NaN (not annotated, occluded, out of view) or has no area is skipped;
- the initialisation frame (the tracker is given the ground-truth box there) is skipped, as in GOT-10k;
- a predicted row that is NaN (the tracker gave no box) counts as a miss: IoU 0, infinite centre distance.

Definitions (OTB / LaSOT / GOT-10k conventions):

- success curve: fraction of scored frames with IoU > t for t in 0, 0.05, ..., 1 (21 thresholds); its AUC
  is the mean of the curve. A perfect track therefore scores 20/21 (no IoU exceeds 1), as in those toolkits;
- precision@20: fraction of scored frames whose centre distance is <= 20 pixels;
- normalised precision: centre offset divided by the ground-truth width and height, then its length; the
  curve is the fraction <= t for t in 0, 0.01, ..., 0.5 and the score is the mean of that curve (LaSOT);
- fps: 1000 divided by the mean update time in milliseconds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

IOU_THRESHOLDS = np.linspace(0.0, 1.0, 21)
PIXEL_THRESHOLDS = np.arange(0, 51, dtype=np.float64)
NORM_THRESHOLDS = np.linspace(0.0, 0.5, 51)
PRECISION_PIXELS = 20.0


def _as_boxes(boxes: np.ndarray) -> np.ndarray:
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4) as x, y, w, h in pixels, got {arr.shape}")
    return arr


def iou(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Intersection over union per frame of two (N, 4) box arrays; NaN where either row is not finite."""
    p, g = _as_boxes(pred), _as_boxes(gt)
    ix = np.minimum(p[:, 0] + p[:, 2], g[:, 0] + g[:, 2]) - np.maximum(p[:, 0], g[:, 0])
    iy = np.minimum(p[:, 1] + p[:, 3], g[:, 1] + g[:, 3]) - np.maximum(p[:, 1], g[:, 1])
    inter = np.clip(ix, 0.0, None) * np.clip(iy, 0.0, None)
    union = np.clip(p[:, 2], 0.0, None) * np.clip(p[:, 3], 0.0, None) + g[:, 2] * g[:, 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = inter / union
    out[union <= 0] = 0.0
    out[~(np.isfinite(p).all(1) & np.isfinite(g).all(1))] = np.nan
    return out


def centre_distance(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Euclidean distance between box centres per frame, in pixels."""
    p, g = _as_boxes(pred), _as_boxes(gt)
    d = (p[:, :2] + p[:, 2:] / 2.0) - (g[:, :2] + g[:, 2:] / 2.0)
    return np.hypot(d[:, 0], d[:, 1])


def normalised_centre_distance(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Centre offset divided by the ground-truth width (x) and height (y), then its length (unitless)."""
    p, g = _as_boxes(pred), _as_boxes(gt)
    d = (p[:, :2] + p[:, 2:] / 2.0) - (g[:, :2] + g[:, 2:] / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.hypot(d[:, 0] / g[:, 2], d[:, 1] / g[:, 3])


def scored_mask(gt: np.ndarray, init_index: int | None = None) -> np.ndarray:
    """
    Frames that count: finite ground truth with positive size, minus the initialisation frame.

    ``init_index`` defaults to the first annotated frame (where a one-pass run initialises).
    """
    g = _as_boxes(gt)
    mask = np.isfinite(g).all(1) & (np.nan_to_num(g[:, 2]) > 0) & (np.nan_to_num(g[:, 3]) > 0)
    if init_index is None:
        init_index = first_annotated(g)
    if init_index is not None and 0 <= init_index < len(mask):
        mask[init_index] = False
    return mask


def first_annotated(gt: np.ndarray) -> int | None:
    """Index of the first frame with a finite ground-truth box of positive size, or None."""
    g = _as_boxes(gt)
    valid = np.isfinite(g).all(1) & (np.nan_to_num(g[:, 2]) > 0) & (np.nan_to_num(g[:, 3]) > 0)
    hits = np.flatnonzero(valid)
    return int(hits[0]) if len(hits) else None


def success_curve(ious: np.ndarray) -> np.ndarray:
    """Fraction of frames with IoU > t for each t in :data:`IOU_THRESHOLDS`; NaN IoUs count as 0."""
    values = np.nan_to_num(np.asarray(ious, dtype=np.float64), nan=0.0)
    if len(values) == 0:
        return np.full(len(IOU_THRESHOLDS), np.nan)
    return (values[:, None] > IOU_THRESHOLDS[None, :]).mean(0)


def fraction_within(distances: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Fraction of frames with distance <= t for each threshold t; NaN distances count as misses."""
    values = np.nan_to_num(np.asarray(distances, dtype=np.float64), nan=np.inf)
    if len(values) == 0:
        return np.full(len(thresholds), np.nan)
    return (values[:, None] <= thresholds[None, :]).mean(0)


def frames_per_second(times_ms: np.ndarray) -> float:
    """1000 / mean of the finite update times (ms); NaN when there are none."""
    times = np.asarray(times_ms, dtype=np.float64)
    times = times[np.isfinite(times)]
    if len(times) == 0 or times.mean() <= 0:
        return math.nan
    return float(1000.0 / times.mean())


@dataclass(frozen=True)
class Scores:
    """Metrics of one tracker on one sequence (or their mean over sequences)."""

    auc: float
    precision_20: float
    norm_precision: float
    ms_per_frame: float
    fps: float
    n_scored: int
    success_curve: tuple[float, ...]
    precision_curve: tuple[float, ...]
    norm_precision_curve: tuple[float, ...]


def score_sequence(pred: np.ndarray, gt: np.ndarray, times_ms: np.ndarray | None = None,
                   init_index: int | None = None) -> Scores:
    """Score predicted boxes against ground truth (both (N, 4) pixel x, y, w, h); see the module rules."""
    p, g = _as_boxes(pred), _as_boxes(gt)
    if p.shape != g.shape:
        raise ValueError(f"predictions {p.shape} and ground truth {g.shape} must have the same shape")
    mask = scored_mask(g, init_index)
    p, g = p[mask], g[mask]
    missing = ~np.isfinite(p).all(1)
    ious = np.where(missing, 0.0, np.nan_to_num(iou(p, g)))
    dist = np.where(missing, np.inf, centre_distance(p, g))
    norm = np.where(missing, np.inf, normalised_centre_distance(p, g))
    success = success_curve(ious)
    precision = fraction_within(dist, PIXEL_THRESHOLDS)
    norm_curve = fraction_within(norm, NORM_THRESHOLDS)
    times = np.asarray(times_ms if times_ms is not None else [], dtype=np.float64)
    times = times[np.isfinite(times)]
    return Scores(
        auc=float(success.mean()), precision_20=float(fraction_within(dist, np.array([PRECISION_PIXELS]))[0]),
        norm_precision=float(norm_curve.mean()), ms_per_frame=float(times.mean()) if len(times) else math.nan,
        fps=frames_per_second(times), n_scored=int(mask.sum()), success_curve=tuple(success.tolist()),
        precision_curve=tuple(precision.tolist()), norm_precision_curve=tuple(norm_curve.tolist()))


def mean_scores(per_sequence: list[Scores], n_updates: list[int] | None = None) -> Scores:
    """
    Mean over sequences.

    Accuracy metrics and curves weight each sequence equally (sequences with no scored frame are left out);
    ms/frame weights each update equally when ``n_updates`` (updates per sequence) is given.
    """
    scored = [s for s in per_sequence if s.n_scored > 0]

    def avg(values: list[float]) -> float:
        finite = [v for v in values if math.isfinite(v)]
        return float(np.mean(finite)) if finite else math.nan

    def curve(name: str, length: int) -> tuple[float, ...]:
        rows = [getattr(s, name) for s in scored]
        return tuple(np.mean(rows, axis=0).tolist()) if rows else (math.nan,) * length

    if n_updates is not None and sum(n_updates) > 0:
        pairs = [(s.ms_per_frame, n) for s, n in zip(per_sequence, n_updates)
                 if n > 0 and math.isfinite(s.ms_per_frame)]
        ms = sum(m * n for m, n in pairs) / sum(n for _, n in pairs) if pairs else math.nan
    else:
        ms = avg([s.ms_per_frame for s in per_sequence])
    return Scores(auc=avg([s.auc for s in scored]), precision_20=avg([s.precision_20 for s in scored]),
                  norm_precision=avg([s.norm_precision for s in scored]), ms_per_frame=ms,
                  fps=1000.0 / ms if math.isfinite(ms) and ms > 0 else math.nan,
                  n_scored=sum(s.n_scored for s in per_sequence),
                  success_curve=curve("success_curve", len(IOU_THRESHOLDS)),
                  precision_curve=curve("precision_curve", len(PIXEL_THRESHOLDS)),
                  norm_precision_curve=curve("norm_precision_curve", len(NORM_THRESHOLDS)))
