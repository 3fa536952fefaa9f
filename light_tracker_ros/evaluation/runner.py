# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
One-pass evaluation of several trackers on the same decoded frames, plus a bounded latency measurement.

Each sequence is decoded once; every frame goes to every tracker in turn. A tracker is initialised on the
first annotated frame with its ground-truth box and never re-initialised. Per frame the predicted box
(pixels x, y, w, h; NaN before initialisation) and the wall-clock time of ``update()`` in milliseconds are
recorded; the initialisation frame gets the box it was given and no update time.

With a jitter of ``j`` pixels each tracker also runs, on the same frames, from four start boxes shifted by
``(+-j, +-j)`` (x, y); the mean AUC over the five starts and its spread say how much one lost target moves
a mean (:meth:`EvaluationResult.spread`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol

import cv2
import numpy as np
from tqdm import tqdm

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError, DatasetError, TrackerError
from light_tracker_ros.core.types import Box, TrackResult
from light_tracker_ros.data.sequences import Sequence
from light_tracker_ros.evaluation.metrics import Scores, first_annotated, mean_scores, score_sequence
from light_tracker_ros.evaluation.peers import create_peer

LOG = logging.getLogger(__name__)


class TrackerLike(Protocol):
    """What the runner needs from a tracker (ours or a peer)."""

    def init(self, frame: np.ndarray, box: Box | tuple[float, float, float, float]) -> None: ...  # noqa: D102

    def update(self, frame: np.ndarray) -> TrackResult: ...  # noqa: D102

    def reset(self) -> None: ...  # noqa: D102


@dataclass
class TrackerEntry:
    """A tracker to evaluate: its display name, what it is, and a factory taking a thread count."""

    name: str
    kind: str
    source: str
    make: Callable[[int], TrackerLike]
    backend: str | None = None
    card: dict[str, Any] | None = None


def model_entry(model: str, config: TrackerConfig, models_dir: str | None = None) -> TrackerEntry:
    """Entry for one of our models (a name in models/ or a ``.onnx`` path), opened once now to fail early."""
    from light_tracker_ros.runtime import ModelSpec, create_tracker

    base = dataclasses.replace(config, model=model)
    probe = create_tracker(ModelSpec.from_config(base, models_dir), base)
    unused = [probe]

    def make(threads: int) -> TrackerLike:
        if unused and threads == base.num_threads:
            return unused.pop()  # hand out the probe once instead of loading the model twice
        return create_tracker(dataclasses.replace(ModelSpec.from_config(base, models_dir), num_threads=threads), base)

    return TrackerEntry(probe.card.name, "model", str(probe.backend.path), make, config.backend,
                        dataclasses.asdict(probe.card))


def peer_entry(kind: str, files: dict[str, str | None] | None = None) -> TrackerEntry:
    """Entry for an OpenCV peer (csrt, kcf, mil; nanotrack, vittrack with model ``files``); OpenCV's threads."""
    peer = create_peer(kind, files)  # checks the model files now
    return TrackerEntry(peer.name, "peer", f"opencv {cv2.__version__} {peer.name}",
                        lambda _threads: create_peer(kind, peer.files))


def unique_names(entries: list[TrackerEntry]) -> list[TrackerEntry]:
    """Rename repeated display names ``a``, ``a#2``, ``a#3``... so results do not collide."""
    seen: dict[str, int] = {}
    for entry in entries:
        seen[entry.name] = seen.get(entry.name, 0) + 1
        if seen[entry.name] > 1:
            entry.name = f"{entry.name}#{seen[entry.name]}"
    return entries


@contextlib.contextmanager
def opencv_threads(threads: int) -> Iterator[None]:
    """Set OpenCV's global thread count for the duration of the block."""
    previous = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


@dataclass
class SequenceRun:
    """One tracker on one sequence: per-frame boxes (N, 4) pixels, update times (N,) ms and scores (N,)."""

    boxes: np.ndarray
    times_ms: np.ndarray
    scores: np.ndarray
    init_index: int | None
    init_ms: float = math.nan
    stage_ms: dict[str, float] = field(default_factory=dict)
    metrics: Scores | None = None

    @property
    def n_updates(self) -> int:
        """Number of timed updates."""
        return int(np.isfinite(self.times_ms).sum())


@dataclass
class SequenceInfo:
    """A scored sequence: its name, where its frames come from, and its (possibly truncated) ground truth."""

    name: str
    source: str
    groundtruth: np.ndarray


@dataclass
class LatencyStats:
    """Update times of one tracker at one thread count, in milliseconds (warm-up updates excluded)."""

    threads: int
    n_updates: int
    mean_ms: float
    median_ms: float
    p90_ms: float


@dataclass(frozen=True)
class Spread:
    """Mean AUC over sequences of one tracker from each start box (``starts``: shift labels), and their spread."""

    starts: tuple[str, ...]
    aucs: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean of the per-start mean AUCs."""
        return float(np.mean(self.aucs))

    @property
    def sd(self) -> float:
        """Sample standard deviation of the per-start mean AUCs (0 for a single start)."""
        return float(np.std(self.aucs, ddof=1)) if len(self.aucs) > 1 else 0.0


def start_offsets(jitter: float) -> list[tuple[float, float]]:
    """
    Start-box shifts (dx, dy) in pixels: none, then the four ``(+-jitter, +-jitter)`` when ``jitter > 0``.

    :raises ConfigError: ``jitter`` is negative or not finite.
    """
    if not math.isfinite(jitter) or jitter < 0:
        raise ConfigError(f"jitter must be a finite number of pixels >= 0, got {jitter}")
    if jitter == 0:
        return [(0.0, 0.0)]
    return [(0.0, 0.0)] + [(float(dx), float(dy)) for dx in (-jitter, jitter) for dy in (-jitter, jitter)]


def offset_label(offset: tuple[float, float]) -> str:
    """Return the label of a start shift, e.g. ``'+2,-2'`` (pixels x, y)."""
    return f"{offset[0]:+g},{offset[1]:+g}"


def shifted_box(box: np.ndarray, offset: tuple[float, float], shape: tuple[int, ...]) -> np.ndarray:
    """``box`` (pixels x, y, w, h) moved by ``offset`` (dx, dy), kept inside a frame of ``shape`` (h, w, ...)."""
    out = np.asarray(box, dtype=np.float64).copy()
    if offset == (0.0, 0.0):
        return out
    out[0] = min(max(out[0] + offset[0], 0.0), max(shape[1] - out[2], 0.0))
    out[1] = min(max(out[1] + offset[1], 0.0), max(shape[0] - out[3], 0.0))
    return out


@dataclass
class EvaluationResult:
    """
    Everything one evaluation produced; ``runs[tracker][sequence]`` holds the per-frame records.

    ``shifted[tracker][label][sequence]`` holds the runs from shifted start boxes (empty without jitter).
    """

    trackers: list[TrackerEntry]
    sequences: list[SequenceInfo]
    runs: dict[str, dict[str, SequenceRun]]
    threads: int = 1
    latency: dict[str, dict[int, LatencyStats]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    shifted: dict[str, dict[str, dict[str, SequenceRun]]] = field(default_factory=dict)

    def mean(self, tracker: str, start: str | None = None) -> Scores:
        """Mean metrics of ``tracker`` over all sequences (from the shifted start ``start`` if given)."""
        per_seq = self.runs[tracker] if start is None else self.shifted[tracker][start]
        runs = [per_seq[s.name] for s in self.sequences]
        return mean_scores([r.metrics for r in runs], [r.n_updates for r in runs])

    def spread(self, tracker: str) -> Spread:
        """Mean AUC of ``tracker`` from the ground-truth start and from every shifted start."""
        starts = [offset_label((0.0, 0.0))] + list(self.shifted.get(tracker, {}))
        aucs = [self.mean(tracker).auc] + [self.mean(tracker, s).auc for s in starts[1:]]
        return Spread(tuple(starts), tuple(aucs))


def _empty_run(n: int, init_index: int | None) -> SequenceRun:
    return SequenceRun(np.full((n, 4), np.nan), np.full(n, np.nan), np.full(n, np.nan), init_index)


def run_sequence(trackers: dict[str, TrackerLike], sequence: Sequence, max_frames: int | None = None,
                 progress: tqdm | None = None, offsets: dict[str, tuple[float, float]] | None = None,
                 ) -> tuple[SequenceInfo, dict[str, SequenceRun]]:
    """
    Run every tracker over one sequence in lockstep (one decode per frame) and score it.

    ``offsets`` shifts the start box of the named trackers by (dx, dy) pixels; scoring always uses the
    ground truth.

    :raises DatasetError: a tracker cannot be initialised on the sequence's first annotated box.
    """
    offsets = offsets or {}
    n = len(sequence) if max_frames is None else min(len(sequence), max_frames)
    gt = sequence.groundtruth[:n]
    init_index = first_annotated(gt)
    if init_index is None:
        LOG.warning("sequence %s has no annotated frame in its first %d frames: nothing to score", sequence.name, n)
    runs = {name: _empty_run(n, init_index) for name in trackers}
    stages = {name: np.zeros(3) for name in trackers}
    frames = iter(sequence)
    for index in range(n if init_index is not None else 0):
        frame = next(frames)
        for name, tracker in trackers.items():
            run = runs[name]
            if index == init_index:
                start = shifted_box(gt[index], offsets.get(name, (0.0, 0.0)), frame.shape)
                tracker.reset()
                t0 = time.perf_counter()
                try:
                    tracker.init(frame, tuple(start))
                except TrackerError as exc:
                    raise DatasetError(f"{name} cannot start on sequence {sequence.name}, frame {index}, "
                                       f"box {tuple(start)}: {exc}") from exc
                run.init_ms = (time.perf_counter() - t0) * 1e3
                run.boxes[index] = start
            elif index > init_index:
                t0 = time.perf_counter()
                result = tracker.update(frame)
                run.times_ms[index] = (time.perf_counter() - t0) * 1e3
                run.boxes[index] = result.box.as_tuple()
                run.scores[index] = result.score
                t = result.timings
                stages[name] += (t.preprocess_ms, t.inference_ms, t.postprocess_ms)
        if progress is not None:
            progress.update(1)
    getattr(frames, "close", lambda: None)()  # release a video decoder left open by max_frames
    if progress is not None and init_index is None:
        progress.update(n)
    for name, run in runs.items():
        count = max(run.n_updates, 1)
        run.stage_ms = dict(zip(("preprocess", "inference", "postprocess"), (stages[name] / count).tolist()))
        run.metrics = score_sequence(run.boxes, gt, run.times_ms, init_index)
    return SequenceInfo(sequence.name, sequence.frames.describe(), gt.copy()), runs


def evaluate(entries: list[TrackerEntry], sequences: list[Sequence], threads: int = 1,
             max_frames: int | None = None, progress: bool = True, jitter: float = 0.0) -> EvaluationResult:
    """
    Run all trackers over all sequences, one pass each; OpenCV peers run with ``threads`` threads too.

    With ``jitter > 0`` every tracker also runs from four start boxes shifted by ``(+-jitter, +-jitter)``
    pixels, as separate instances on the same frames (see :func:`start_offsets`).
    """
    entries = unique_names(entries)
    shifts = start_offsets(jitter)[1:]
    trackers: dict[str, TrackerLike] = {}
    offsets: dict[str, tuple[float, float]] = {}
    origin: dict[str, tuple[str, str]] = {}  # instance key -> (tracker name, start label)
    for entry in entries:
        trackers[entry.name] = entry.make(threads)
        for shift in shifts:
            key = f"{entry.name}@{offset_label(shift)}"
            trackers[key], offsets[key], origin[key] = entry.make(threads), shift, (entry.name, offset_label(shift))
    total = sum(len(s) if max_frames is None else min(len(s), max_frames) for s in sequences)
    infos: list[SequenceInfo] = []
    runs: dict[str, dict[str, SequenceRun]] = {entry.name: {} for entry in entries}
    shifted: dict[str, dict[str, dict[str, SequenceRun]]] = {
        entry.name: {offset_label(s): {} for s in shifts} for entry in entries} if shifts else {}
    with opencv_threads(threads), tqdm(total=total, unit="frame", disable=not progress) as bar:
        for sequence in sequences:
            bar.set_description(sequence.name)
            info, seq_runs = run_sequence(trackers, sequence, max_frames, bar, offsets)
            infos.append(info)
            for key, run in seq_runs.items():
                if key in origin:
                    shifted[origin[key][0]][origin[key][1]][info.name] = run
                else:
                    runs[key][info.name] = run
    return EvaluationResult(entries, infos, runs, threads,
                            settings={"max_frames": max_frames, "init": "first annotated frame, ground-truth box",
                                      "reinit": False, "jitter_px": jitter,
                                      "shifted_starts": [offset_label(s) for s in shifts]},
                            shifted=shifted)


def latency_frames(sequences: list[Sequence], count: int) -> tuple[list[np.ndarray], tuple[float, ...]]:
    """Up to ``count`` frames of the first sequence with an annotation, from its first annotated frame on."""
    for sequence in sequences:
        start = first_annotated(sequence.groundtruth)
        if start is None:
            continue
        frames = []
        for index, frame in enumerate(sequence):
            if index >= start:
                frames.append(frame)
            if len(frames) >= count:
                break
        return frames, tuple(sequence.groundtruth[start])
    raise DatasetError("no sequence has an annotated frame to measure latency on")


def measure_latency(entries: list[TrackerEntry], sequences: list[Sequence], thread_counts: list[int],
                    max_updates: int = 50, warmup: int = 2) -> dict[str, dict[int, LatencyStats]]:
    """
    Time ``update()`` of each tracker at each thread count on the same frames (latency only, not scored).

    A fresh tracker is opened per thread count, initialised on the first annotated frame of the first
    annotated sequence and updated on at most ``warmup + max_updates`` following frames; the first
    ``warmup`` updates are not counted.
    """
    frames, box = latency_frames(sequences, max_updates + warmup + 1)
    result: dict[str, dict[int, LatencyStats]] = {}
    for entry in entries:
        result[entry.name] = {}
        for threads in thread_counts:
            with opencv_threads(threads):
                tracker = entry.make(threads)
                tracker.init(frames[0], box)
                times = []
                for frame in frames[1:]:
                    t0 = time.perf_counter()
                    tracker.update(frame)
                    times.append((time.perf_counter() - t0) * 1e3)
            counted = np.asarray(times[warmup:] if len(times) > warmup else times)
            result[entry.name][threads] = LatencyStats(
                threads, len(counted), float(counted.mean()) if len(counted) else math.nan,
                float(np.median(counted)) if len(counted) else math.nan,
                float(np.percentile(counted, 90)) if len(counted) else math.nan)
            LOG.info("latency %s at %d thread(s): %.2f ms mean over %d updates", entry.name, threads,
                     result[entry.name][threads].mean_ms, len(counted))
    return result
