# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Training pairs from annotated sequences (GOT-10k, LaSOT, OTB or our own sequence folders).

A pair is two annotated frames of one sequence at most ``max_gap`` frames apart, cropped as the tracker crops
them (:func:`training.synthesis.crop_pair`). Frames whose ground truth is NaN (absent, occluded, out of view)
are never used. Sequences are drawn in proportion to their number of annotated frames.
"""
from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.core.types import Box
from light_tracker_ros.data.pairs import PairArrays
from light_tracker_ros.data.readers import read_any
from light_tracker_ros.data.sequences import ImageFrames, Sequence
from light_tracker_ros.training.synthesis import PairBuffer

log = logging.getLogger(__name__)
MAX_ROUNDS = 50


def annotated_frames(sequence: Sequence) -> np.ndarray:
    """Return the indices of the frames with a finite box of positive size."""
    gt = sequence.groundtruth
    return np.flatnonzero(np.isfinite(gt).all(axis=1) & (gt[:, 2] > 0) & (gt[:, 3] > 0))


def frames_at(sequence: Sequence, indices: set[int]) -> dict[int, np.ndarray]:
    """Decode only the frames ``indices`` of a sequence (image files directly, videos by reading up to them)."""
    if isinstance(sequence.frames, ImageFrames):
        out = {}
        for i in indices:
            frame = cv2.imread(str(sequence.frames.paths[i]), cv2.IMREAD_COLOR)
            if frame is None:
                raise DatasetError(f"cannot read image {sequence.frames.paths[i]}: missing, truncated or not an image")
            out[i] = frame
        return out
    last = max(indices)
    out = {}
    for i, frame in enumerate(sequence):
        if i in indices:
            out[i] = frame
        if i >= last:
            break
    return out


def _draw(sequence: Sequence, valid: np.ndarray, count: int, max_gap: int, rng: np.random.Generator
          ) -> list[tuple[int, int]]:
    """``count`` (first, second) frame indices, both annotated, at most ``max_gap`` apart (never equal)."""
    picks = []
    for first in rng.choice(valid, count):
        near = valid[(np.abs(valid - first) <= max_gap) & (valid != first)]
        if len(near):
            picks.append((int(first), int(rng.choice(near))))
    return picks


def sequence_pairs(root: str | Path, count: int, seed: int = 0, max_gap: int = 20, template_size: int = 64,
                   search_size: int = 128, progress: bool = True) -> PairArrays:
    """
    ``count`` pairs from every sequence under ``root`` (any layout :func:`data.readers.read_any` reads).

    :raises DatasetError: no sequence with two annotated frames, or too few pairs whose target stays in the
        search crop.
    """
    from tqdm import tqdm
    sequences = [s for s in read_any(root) if len(annotated_frames(s)) >= 2]
    if not sequences:
        raise DatasetError(f"{root} holds no sequence with at least two annotated frames")
    valid = [annotated_frames(s) for s in sequences]
    weights = np.array([len(v) for v in valid], float)
    rng = np.random.default_rng(seed)
    buffer = PairBuffer(count, template_size, search_size)
    with tqdm(total=count, desc=f"sequence pairs ({len(sequences)} sequences)", disable=not progress) as bar:
        for _ in range(MAX_ROUNDS):
            if buffer.full:
                break
            for k, wanted in enumerate(rng.multinomial(count - buffer.made, weights / weights.sum())):
                if wanted == 0 or buffer.full:
                    continue
                picks = _draw(sequences[k], valid[k], int(wanted), max_gap, rng)
                if not picks:
                    continue
                frames = frames_at(sequences[k], {i for pick in picks for i in pick})
                gt = sequences[k].groundtruth
                for first, second in picks:
                    if buffer.add(frames[first], Box(*gt[first]), frames[second], Box(*gt[second]), rng):
                        bar.update(1)
    if buffer.made < count:
        raise DatasetError(f"only {buffer.made} of {count} pairs from {root} kept the target inside the search crop; "
                           "use longer sequences or a larger --max-gap")
    log.info("%d pairs from %d sequences of %s", count, len(sequences), root)
    return buffer.arrays()
