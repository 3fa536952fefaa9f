# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Real temporal pairs from unlabelled video, labelled by cycle-consistent tracking.

Several random textured boxes in frame t are each followed forward over a clip by a *follower* (OpenCV's
CSRT, or a teacher :class:`~light_tracker_ros.core.tracker.Tracker` such as the imported NanoTrack v3) and
then backward to frame t. A trajectory is kept only when the backward pass returns to the starting box (IoU
at least ``min_cycle_iou``), agrees with the forward pass on every frame, and every step is plausible (no
jump, bounded size and aspect change, teacher score). Each kept trajectory yields pairs (i, j), i < j, with
the forward boxes as labels: real motion, real appearance change and real backgrounds. Boxes are pixel
(x, y, w, h) of the frame.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, Sequence

import cv2
import numpy as np

from light_tracker_ros.core.errors import DatasetError, TrackerError
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.core.types import Box
from light_tracker_ros.data.pairs import PairArrays
from light_tracker_ros.training.synthesis import PairBuffer


class LowYieldError(DatasetError):
    """Too few trajectories pass the cycle filter: the follower cannot label these videos, or the filter is strict."""


class Follower(Protocol):
    """Follows a box through frames: the boxes of every frame (first = ``box``) and their scores, or None."""

    name: str

    def follow(self, frames: Sequence[np.ndarray], box: Box) -> tuple[list[Box], list[float]] | None:
        """Track ``box`` of ``frames[0]`` through ``frames``; None when the follower loses it."""


class CsrtFollower:
    """OpenCV's CSRT on frames resized by ``scale`` (score 1.0 on every frame it reports found)."""

    name = "csrt"

    def __init__(self, scale: float = 0.5) -> None:
        self.scale = scale

    def follow(self, frames: Sequence[np.ndarray], box: Box) -> tuple[list[Box], list[float]] | None:
        """Track ``box`` with CSRT; None when CSRT reports a failure or a box under 3 px."""
        s = self.scale
        small = [cv2.resize(f, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) for f in frames]
        tracker = cv2.TrackerCSRT_create()
        tracker.init(small[0], tuple(int(round(v * s)) for v in box.as_tuple()))
        boxes = [box]
        for frame in small[1:]:
            ok, found = tracker.update(frame)
            if not ok or found[2] < 3 or found[3] < 3:
                return None
            boxes.append(Box(*[float(v) / s for v in found]))
        return boxes, [1.0] * len(boxes)


class TrackerFollower:
    """A teacher: this package's :class:`Tracker` (any model, e.g. imported NanoTrack v3) on full-resolution frames."""

    def __init__(self, tracker: Tracker, min_score: float = 0.5, name: str | None = None) -> None:
        self.tracker = tracker
        self.min_score = min_score
        self.name = name or tracker.card.name

    def follow(self, frames: Sequence[np.ndarray], box: Box) -> tuple[list[Box], list[float]] | None:
        """Track ``box``; None when a frame's peak score is under ``min_score`` or the tracker refuses the box."""
        try:
            self.tracker.init(frames[0], box)
            boxes, scores = [box], [1.0]
            for frame in frames[1:]:
                result = self.tracker.update(frame)
                if not result.found or result.score < self.min_score:
                    return None
                boxes.append(result.box)
                scores.append(float(result.score))
        except TrackerError:  # a box the tracker refuses, a non-finite output: not a label
            return None
        finally:
            self.tracker.reset()
        return boxes, scores


@dataclass(frozen=True)
class CycleConfig:
    """How clips are drawn and trajectories filtered (lengths in frames, sizes in pixels of the frame)."""

    horizon: tuple[int, int] = (12, 24)  # frames per clip (drawn uniformly in this range)
    steps: tuple[int, int] = (1, 3)  # frame step inside a clip
    targets: int = 4  # textured boxes tried per start frame
    box_sizes: tuple[float, float] = (24.0, 160.0)  # side range of the start boxes (capped at a third of the height)
    min_texture: float = 60.0  # variance of the Laplacian of the start box's content
    min_cycle_iou: float = 0.7  # backward pass's last box against the start box
    min_agreement: float = 0.5  # forward and backward boxes on every frame
    max_jump: float = 0.75  # centre move per clip step, in box sides
    max_step_scale: float = 1.25  # width or height change per clip step (either way)
    max_scale: float = 2.0  # width or height change against the start box
    max_aspect_change: float = 1.6  # aspect ratio change against the start box
    min_inside: float = 0.7  # fraction of each box inside the frame
    pairs_per_track: int = 5
    max_attempts: int = 0  # trajectories tried before LowYieldError; 0 = 20 per track needed
    min_yield: float = 0.03  # kept / attempted below this after ``probe`` attempts: LowYieldError
    probe: int = 100

    @classmethod
    def csrt(cls) -> "CycleConfig":
        """Return the CSRT labeller's settings: clips of 8 steps of 1-2 frames, one box per start frame."""
        return cls(horizon=(9, 9), steps=(1, 2), targets=1, box_sizes=(24.0, 120.0), pairs_per_track=3)


@dataclass(frozen=True)
class Trajectory:
    """A kept trajectory: video index, frame indices and the forward boxes (pixel x, y, w, h) on them."""

    video: int
    frames: tuple[int, ...]
    boxes: tuple[tuple[float, float, float, float], ...]
    score: float  # lowest follower score of the forward pass

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {"video": self.video, "frames": list(self.frames),
                "boxes": [[round(v, 2) for v in b] for b in self.boxes], "score": round(self.score, 4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Trajectory":
        """Read the form :meth:`as_dict` writes."""
        return cls(int(data["video"]), tuple(data["frames"]), tuple(tuple(b) for b in data["boxes"]),
                   float(data["score"]))


@dataclass
class CycleResult:
    """Pairs, the trajectories they came from, and the yield of the filter."""

    pairs: PairArrays
    tracks: list[Trajectory]
    attempted: int
    seconds: float
    labeller: str
    config: CycleConfig
    dropped: dict[str, int] = field(default_factory=dict)  # why trajectories were dropped

    def meta(self) -> dict[str, Any]:
        """Return what a pair folder records about its labels (``labels.json``)."""
        return {"kind": "video-cycles", "labeller": self.labeller, "pairs": len(self.pairs),
                "kept": len(self.tracks), "attempted": self.attempted,
                "yield": round(len(self.tracks) / max(self.attempted, 1), 4), "dropped": self.dropped,
                "seconds": round(self.seconds, 1), "config": asdict(self.config)}


def textured_boxes(frame: np.ndarray, rng: np.random.Generator, cfg: CycleConfig) -> list[Box]:
    """Up to ``cfg.targets`` random boxes with enough texture, overlapping each other by IoU < 0.3."""
    h, w = frame.shape[:2]
    low, high = cfg.box_sizes[0], max(min(cfg.box_sizes[1], h / 3), cfg.box_sizes[0] + 1)
    boxes: list[Box] = []
    for _ in range(cfg.targets * 8):
        if len(boxes) >= cfg.targets:
            break
        size = math.exp(rng.uniform(math.log(low), math.log(high)))
        aspect = math.exp(rng.normal(0, 0.35))
        bw, bh = size * math.sqrt(aspect), size / math.sqrt(aspect)
        if bw >= w or bh >= h:
            continue
        box = Box(rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh)
        patch = cv2.cvtColor(frame[int(box.y):int(box.y + bh), int(box.x):int(box.x + bw)], cv2.COLOR_BGR2GRAY)
        if patch.size == 0 or float(cv2.Laplacian(patch, cv2.CV_32F).var()) < cfg.min_texture:
            continue
        if all(box.iou(other) < 0.3 for other in boxes):
            boxes.append(box)
    return boxes


def implausible(boxes: Sequence[Box], width: int, height: int, cfg: CycleConfig) -> str | None:
    """Return the first rule a trajectory breaks ('jump', 'size', 'aspect', 'outside'), or None."""
    first = boxes[0]
    for prev, box in zip(boxes, boxes[1:]):
        side = math.sqrt(prev.w * prev.h)
        if math.hypot(box.cx - prev.cx, box.cy - prev.cy) > cfg.max_jump * side:
            return "jump"
        ratios = (box.w / prev.w, box.h / prev.h, box.w / first.w, box.h / first.h)
        limits = (cfg.max_step_scale,) * 2 + (cfg.max_scale,) * 2
        if any(max(r, 1 / r) > limit for r, limit in zip(ratios, limits)):
            return "size"
        aspect = (box.w / box.h) / (first.w / first.h)
        if max(aspect, 1 / aspect) > cfg.max_aspect_change:
            return "aspect"
        inside_w = max(0.0, min(box.x + box.w, width) - max(box.x, 0.0))
        inside_h = max(0.0, min(box.y + box.h, height) - max(box.y, 0.0))
        inside = inside_w * inside_h
        if inside < cfg.min_inside * box.w * box.h:
            return "outside"
    return None


def cycle_track(follower: Follower, clip: Sequence[np.ndarray], box: Box, cfg: CycleConfig
                ) -> tuple[list[Box] | None, float, str]:
    """
    Follow ``box`` forward through ``clip`` and back; return (forward boxes or None, lowest score, verdict).

    The verdict is 'kept' or why the trajectory was dropped: 'lost' (the follower gave up), 'jump', 'size',
    'aspect', 'outside' (:func:`implausible`, either pass), 'cycle' (the backward pass ends away from the
    start box) or 'disagree' (forward and backward boxes of some frame overlap less than ``min_agreement``).
    """
    height, width = clip[0].shape[:2]
    forward = follower.follow(clip, box)
    if forward is None:
        return None, 0.0, "lost"
    reason = implausible(forward[0], width, height, cfg)
    if reason:
        return None, 0.0, reason
    backward = follower.follow(clip[::-1], forward[0][-1])
    if backward is None:
        return None, 0.0, "lost"
    reason = implausible(backward[0], width, height, cfg)
    if reason:
        return None, 0.0, reason
    if backward[0][-1].iou(box) < cfg.min_cycle_iou:
        return None, 0.0, "cycle"
    if min(f.iou(b) for f, b in zip(forward[0], backward[0][::-1])) < cfg.min_agreement:
        return None, 0.0, "disagree"
    return forward[0], min(forward[1] + backward[1]), "kept"


def _add_track(buffer: PairBuffer, frames: Sequence[np.ndarray], boxes: Sequence[Box], rng: np.random.Generator,
               per_track: int) -> int:
    """Add up to ``per_track`` pairs (i, j), i < j, of one trajectory; return how many were added."""
    n = len(frames)
    candidates = [(i, j) for i in range(n) for j in range(i + 1, n)]
    added = 0
    for k in rng.permutation(len(candidates))[:per_track]:
        i, j = candidates[k]
        added += buffer.add(frames[i], boxes[i], frames[j], boxes[j], rng)
    return added


def cycle_pairs(videos: list[list[np.ndarray]], count: int, seed: int, follower: Follower | None = None,
                cfg: CycleConfig | None = None, template_size: int = 64, search_size: int = 128,
                progress: bool = True) -> CycleResult:
    """
    Make ``count`` pairs from cycle-consistent trajectories over the given videos (lists of BGR frames).

    ``follower`` defaults to CSRT at half resolution (with :meth:`CycleConfig.csrt`).

    :raises LowYieldError: fewer than ``cfg.min_yield`` of the first ``cfg.probe`` (or later) trajectories kept,
        or ``cfg.max_attempts`` trajectories tried before ``count`` pairs were made.
    """
    from tqdm import tqdm
    follower = follower or CsrtFollower()
    cfg = cfg or (CycleConfig.csrt() if isinstance(follower, CsrtFollower) else CycleConfig())
    usable = [i for i, v in enumerate(videos) if len(v) >= cfg.horizon[0]]
    if not usable:
        raise DatasetError(f"no video of at least {cfg.horizon[0]} frames to draw clips from")
    weights = np.array([len(videos[i]) for i in usable], float)
    weights /= weights.sum()
    max_attempts = cfg.max_attempts or 20 * math.ceil(count / cfg.pairs_per_track)
    rng = np.random.default_rng(seed)
    buffer = PairBuffer(count, template_size, search_size)
    tracks: list[Trajectory] = []
    dropped: dict[str, int] = {}
    attempted = flat_clips = 0
    start_time = time.perf_counter()
    with tqdm(total=count, desc=f"video pairs ({follower.name} cycles)", disable=not progress) as bar:
        while not buffer.full:
            v = usable[rng.choice(len(usable), p=weights)]
            length = min(int(rng.integers(cfg.horizon[0], cfg.horizon[1] + 1)), len(videos[v]))
            step = min(int(rng.integers(cfg.steps[0], cfg.steps[1] + 1)), (len(videos[v]) - 1) // (length - 1))
            first = int(rng.integers(0, len(videos[v]) - (length - 1) * step))
            indices = tuple(range(first, first + (length - 1) * step + 1, step))
            clip = [videos[v][i] for i in indices]
            starts = textured_boxes(clip[0], rng, cfg)
            flat_clips += not starts
            if flat_clips >= max_attempts:
                raise LowYieldError(f"{flat_clips} clips gave no textured start box; the videos are too flat")
            for box in starts:
                if buffer.full:
                    break
                attempted += 1
                boxes, score, verdict = cycle_track(follower, clip, box, cfg)
                if boxes is None:
                    dropped[verdict] = dropped.get(verdict, 0) + 1
                else:
                    tracks.append(Trajectory(v, indices, tuple(b.as_tuple() for b in boxes), score))
                    bar.update(_add_track(buffer, clip, boxes, rng, cfg.pairs_per_track))
                bar.set_postfix(kept=f"{len(tracks)}/{attempted}", refresh=False)
                _check_yield(len(tracks), attempted, max_attempts, buffer.made, count, follower.name, cfg)
    return CycleResult(buffer.arrays(), tracks, attempted, time.perf_counter() - start_time, follower.name, cfg,
                       dropped)


def _check_yield(kept: int, attempted: int, max_attempts: int, made: int, count: int, name: str,
                 cfg: CycleConfig) -> None:
    if made >= count:
        return
    if attempted >= cfg.probe and kept < cfg.min_yield * attempted:
        raise LowYieldError(f"{name} kept {kept} of {attempted} trajectories (< {cfg.min_yield:.0%}): it cannot "
                            f"label these videos; try another teacher or lower min_cycle_iou")
    if attempted >= max_attempts:
        raise LowYieldError(f"{name} kept {kept} of {attempted} trajectories, {made} of {count} pairs, when the "
                            f"limit of {max_attempts} attempts was reached; ask for fewer pairs")


def track_pairs(videos: list[list[np.ndarray]], tracks: Sequence[Trajectory], count: int, seed: int,
                per_track: int = 5, template_size: int = 64, search_size: int = 128) -> PairArrays:
    """Crop ``count`` pairs from already labelled trajectories (e.g. the same labels at another crop size)."""
    if not tracks:
        raise DatasetError("no trajectories to crop pairs from")
    rng = np.random.default_rng(seed)
    buffer = PairBuffer(count, template_size, search_size)
    rounds = 0
    while not buffer.full:
        added = 0
        for track in tracks:
            if buffer.full:
                break
            added += _add_track(buffer, [videos[track.video][i] for i in track.frames],
                                [Box(*b) for b in track.boxes], rng, per_track)
        rounds += 1
        if not added and rounds > 3:
            raise DatasetError(f"the trajectories give no pair that fits a {search_size}-px search crop")
    return buffer.arrays()
