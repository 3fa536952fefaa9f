# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The tracker: ``init(frame, box)``, ``update(frame) -> TrackResult``, ``reset()`` on BGR numpy frames.

Each update crops a square search region around the last box, runs the model, weights the score map
with a cosine-window motion prior, decodes the peak into a box in image pixels, and keeps a lost state
when the peak score stays under the threshold. A card with a ``decoding`` mapping (imported trackers) sets
the window weight and size learning rate of the model (style 'center'), or switches crop and peak choice to
the SiamRPN/NanoTrack rules (style 'siamese', see ``_siamese_peak``).
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Protocol

import numpy as np

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ModelOutputError, NotInitializedError
from light_tracker_ros.core.model_card import ModelCard, OUTPUT_NAMES
from light_tracker_ros.core.preprocessing import CropWindow, crop, to_input, validate_box, validate_frame, window_for
from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState, TrackedTarget


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


def _check_finite(*outputs: np.ndarray) -> None:
    """Raise ModelOutputError when a model output holds NaN or Inf (before it can touch the state)."""
    for name, values in zip(OUTPUT_NAMES, outputs):
        if not np.isfinite(values).all():
            raise ModelOutputError(f"the model's '{name}' output is not finite (NaN/Inf): frame skipped, state kept")


class Tracker(TrackedTarget):
    """Single-object tracker running one model through one backend."""

    def __init__(self, backend: Backend, config: TrackerConfig | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.config = config or TrackerConfig()
        self._template: np.ndarray | None = None
        self._low_frames = 0
        self._window_cache: dict[tuple[int, int], np.ndarray] = {}

    @property
    def card(self) -> ModelCard:
        """The model card of the running model."""
        return self.backend.card

    def init(self, frame: np.ndarray, box: Box | tuple[float, float, float, float]) -> None:
        """Start tracking the object inside ``box`` (pixels, x, y, w, h) of ``frame`` (BGR uint8)."""
        frame = validate_frame(frame)
        box = validate_box(box, frame.shape[1], frame.shape[0])
        card = self.card
        patch = crop(frame, self._crop_window(box, card.template_factor, card.template_size))
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
        """
        Find the target in ``frame`` and return its box, score, found flag, state and stage timings.

        :raises ModelOutputError: the model returned NaN/Inf; box, state and lost count are left unchanged.
        """
        if self._template is None or self._box is None:
            raise NotInitializedError("update() called before init(frame, box)")
        t0 = time.perf_counter()
        frame = validate_frame(frame)
        card, cfg = self.card, self.config
        window = self._crop_window(self._box, card.search_factor * cfg.search_scale, card.search_size)
        search = to_input(crop(frame, window), card.mean, card.std, card.channel_order)
        t1 = time.perf_counter()
        score_logits, size, offset = self.backend.run(self._template, search)
        t2 = time.perf_counter()
        _check_finite(score_logits, size, offset)
        score = _sigmoid(score_logits[0, 0])
        h, w = score.shape
        decoding = card.decoding or {}
        size_lr = float(decoding.get("size_lr", cfg.size_smoothing))
        if decoding.get("style") == "siamese":
            iy, ix, size_lr = self._siamese_peak(score, size, window)
        else:  # the card's window weight and size learning rate, when it has them, replace the config's
            prior = float(decoding.get("window_influence", cfg.motion_prior))
            weighted = score * ((1.0 - prior) + prior * self._cosine_window(h, w))
            iy, ix = np.unravel_index(int(np.argmax(weighted)), weighted.shape)
        peak = float(score[iy, ix])
        found = peak >= cfg.score_threshold
        if found:
            cx = (ix + float(offset[0, 0, iy, ix])) / w
            cy = (iy + float(offset[0, 1, iy, ix])) / h
            predicted = window.box_to_frame(cx, cy, float(size[0, 0, iy, ix]), float(size[0, 1, iy, ix]))
            if not predicted.is_finite():
                raise ModelOutputError("the model's box is not finite (overflow): frame skipped, state kept")
            self._box = self._smoothed(predicted, frame.shape[1], frame.shape[0], size_lr)
            self._low_frames = 0
            self._state = TrackState.TRACKING
        else:
            self._low_frames += 1
            if self._low_frames >= cfg.lost_after:
                self._state = TrackState.LOST
        t3 = time.perf_counter()
        timings = StageTimings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
        return TrackResult(self._box, peak, found, self._state, timings)

    def _smoothed(self, predicted: Box, width: int, height: int, lr: float) -> Box:
        """Return the new box: centre as predicted, size blended with the previous one; centre kept inside the image."""
        assert self._box is not None
        low = float((self.card.decoding or {}).get("min_size", 2.0))
        w = max((1 - lr) * self._box.w + lr * predicted.w, low)
        h = max((1 - lr) * self._box.h + lr * predicted.h, low)
        cx = min(max(predicted.cx, 0.0), float(width - 1))
        cy = min(max(predicted.cy, 0.0), float(height - 1))
        return Box.from_center(cx, cy, w, h)

    def _crop_window(self, box: Box, factor: float, size: int) -> CropWindow:
        """
        Return the crop around ``box``: side ``factor * sqrt(w*h)``, or ``factor * sqrt((w + p)(h + p))``.

        ``p = a (w + h)`` with the card's ``decoding.context_amount`` a (the SiamRPN/NanoTrack crop).
        """
        amount = float((self.card.decoding or {}).get("context_amount", 0.0))
        if not amount:
            return window_for(box, factor, size)
        pad = amount * (box.w + box.h)
        return CropWindow(box.cx, box.cy, max(factor * math.sqrt((box.w + pad) * (box.h + pad)), 4.0), size)

    def _siamese_peak(self, score: np.ndarray, size: np.ndarray, window: CropWindow) -> tuple[int, int, float]:
        """
        Pick the peak as SiamRPN/NanoTrack do; return its cell (row, column) and the size learning rate.

        Each cell's box is penalised for changing scale and aspect ratio, ``exp(-(r_c s_c - 1) penalty_k)``
        (r_c, s_c = the larger of a ratio and its inverse); the penalised score is blended additively with a
        Hanning window (``window_influence``); the size moves by ``size_lr * penalty * score`` of the peak.
        """
        assert self._box is not None
        d = self.card.decoding or {}
        pw = np.maximum(size[0, 0] * window.side, 1e-6)
        ph = np.maximum(size[0, 1] * window.side, 1e-6)
        w, h = self._box.w, self._box.h

        def context_side(bw: np.ndarray | float, bh: np.ndarray | float) -> np.ndarray | float:
            pad = (bw + bh) * 0.5
            return np.sqrt((bw + pad) * (bh + pad))

        s_c = context_side(pw, ph) / context_side(w, h)
        r_c = (w / h) / (pw / ph)
        penalty = np.exp(-(np.maximum(r_c, 1 / r_c) * np.maximum(s_c, 1 / s_c) - 1) * float(d.get("penalty_k", 0.0)))
        influence = float(d.get("window_influence", 0.0))
        rows, cols = score.shape
        pscore = penalty * score * (1 - influence) + self._hanning(rows, cols) * influence
        iy, ix = np.unravel_index(int(np.argmax(pscore)), pscore.shape)
        lr = float(penalty[iy, ix] * score[iy, ix] * float(d.get("size_lr", self.config.size_smoothing)))
        return int(iy), int(ix), lr

    def _hanning(self, h: int, w: int) -> np.ndarray:
        """Return the SiamRPN window: outer product of numpy Hanning windows (zero at the borders)."""
        key = (-h, -w)
        if key not in self._window_cache:
            self._window_cache[key] = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
        return self._window_cache[key]

    def _cosine_window(self, h: int, w: int) -> np.ndarray:
        key = (h, w)
        if key not in self._window_cache:
            self._window_cache[key] = np.outer(np.hanning(h + 2)[1:-1], np.hanning(w + 2)[1:-1]).astype(np.float32)
        return self._window_cache[key]
