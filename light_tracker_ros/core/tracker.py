# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The tracker: ``init(frame, box)``, ``update(frame) -> TrackResult``, ``reset()`` on BGR numpy frames.

Each update crops a square search region around the last box, runs the model, weights the score map
with a cosine-window motion prior, decodes the peak into a box in image pixels, and keeps a lost state
when the peak score stays under the threshold.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

import numpy as np

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import NotInitializedError
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.core.preprocessing import crop, to_input, validate_box, validate_frame, window_for
from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState


class Backend(Protocol):
    """What the tracker needs from an inference backend (implemented in light_tracker_ros.backends)."""

    card: ModelCard
    path: Path

    def run(self, template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Score logits (1,1,H,W), size (1,2,H,W), offset (1,2,H,W) for one template and one search crop."""

    @property
    def description(self) -> str:
        """Short text such as ``onnxruntime x1``."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class Tracker:
    """Single-object tracker running one model through one backend."""

    def __init__(self, backend: Backend, config: TrackerConfig | None = None) -> None:
        self.backend = backend
        self.config = config or TrackerConfig()
        self._template: np.ndarray | None = None
        self._box: Box | None = None
        self._low_frames = 0
        self._state = TrackState.IDLE
        self._window_cache: dict[tuple[int, int], np.ndarray] = {}

    @property
    def card(self) -> ModelCard:
        """The model card of the running model."""
        return self.backend.card

    @property
    def state(self) -> TrackState:
        """IDLE before init or after reset, TRACKING, or LOST after ``lost_after`` low-score frames."""
        return self._state

    @property
    def box(self) -> Box | None:
        """The last box, in pixels, or None when idle."""
        return self._box

    def init(self, frame: np.ndarray, box: Box | tuple[float, float, float, float]) -> None:
        """Start tracking the object inside ``box`` (pixels, x, y, w, h) of ``frame`` (BGR uint8)."""
        frame = validate_frame(frame)
        box = validate_box(box, frame.shape[1], frame.shape[0])
        card = self.card
        patch = crop(frame, window_for(box, card.template_factor, card.template_size))
        self._template = to_input(patch, card.mean, card.std, card.channel_order)
        self._box = box
        self._low_frames = 0
        self._state = TrackState.TRACKING

    def reset(self) -> None:
        """Drop the target; the next update needs a new init."""
        self._template = None
        self._box = None
        self._low_frames = 0
        self._state = TrackState.IDLE

    def update(self, frame: np.ndarray) -> TrackResult:
        """Find the target in ``frame`` and return its box, score, found flag, state and stage timings."""
        if self._template is None or self._box is None:
            raise NotInitializedError("update() called before init(frame, box)")
        t0 = time.perf_counter()
        frame = validate_frame(frame)
        card, cfg = self.card, self.config
        window = window_for(self._box, card.search_factor * cfg.search_scale, card.search_size)
        search = to_input(crop(frame, window), card.mean, card.std, card.channel_order)
        t1 = time.perf_counter()
        score_logits, size, offset = self.backend.run(self._template, search)
        t2 = time.perf_counter()
        score = _sigmoid(score_logits[0, 0])
        h, w = score.shape
        weighted = score * ((1.0 - cfg.motion_prior) + cfg.motion_prior * self._cosine_window(h, w))
        iy, ix = np.unravel_index(int(np.argmax(weighted)), weighted.shape)
        peak = float(score[iy, ix])
        found = peak >= cfg.score_threshold
        if found:
            cx = (ix + float(offset[0, 0, iy, ix])) / w
            cy = (iy + float(offset[0, 1, iy, ix])) / h
            predicted = window.box_to_frame(cx, cy, float(size[0, 0, iy, ix]), float(size[0, 1, iy, ix]))
            self._box = self._smoothed(predicted, frame.shape[1], frame.shape[0])
            self._low_frames = 0
            self._state = TrackState.TRACKING
        else:
            self._low_frames += 1
            if self._low_frames >= cfg.lost_after:
                self._state = TrackState.LOST
        t3 = time.perf_counter()
        timings = StageTimings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
        return TrackResult(self._box, peak, found, self._state, timings)

    def _smoothed(self, predicted: Box, width: int, height: int) -> Box:
        """Return the new box: centre as predicted, size blended with the previous one; centre kept inside the image."""
        assert self._box is not None
        lr = self.config.size_smoothing
        w = max((1 - lr) * self._box.w + lr * predicted.w, 2.0)
        h = max((1 - lr) * self._box.h + lr * predicted.h, 2.0)
        cx = min(max(predicted.cx, 0.0), float(width - 1))
        cy = min(max(predicted.cy, 0.0), float(height - 1))
        return Box.from_center(cx, cy, w, h)

    def _cosine_window(self, h: int, w: int) -> np.ndarray:
        key = (h, w)
        if key not in self._window_cache:
            self._window_cache[key] = np.outer(np.hanning(h + 2)[1:-1], np.hanning(w + 2)[1:-1]).astype(np.float32)
        return self._window_cache[key]
