# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
OpenCV's CSRT, KCF and MIL trackers behind the same API as :class:`light_tracker_ros.core.tracker.Tracker`.

OpenCV gives only an ok flag, so the score is 1.0 when OpenCV reports the target and 0.0 otherwise; when it
does not, the last box is kept (as our tracker does) and the state is LOST until OpenCV finds it again.
"""
from __future__ import annotations

import time
from typing import Callable

import cv2
import numpy as np

from light_tracker_ros.core.errors import ConfigError, NotInitializedError
from light_tracker_ros.core.preprocessing import validate_box, validate_frame
from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState

PEER_FACTORIES: dict[str, Callable[[], object]] = {
    "csrt": cv2.TrackerCSRT_create,
    "kcf": cv2.TrackerKCF_create,
    "mil": cv2.TrackerMIL_create,
}


class OpenCVPeer:
    """One OpenCV tracker with ``init(frame, box)``, ``update(frame) -> TrackResult`` and ``reset()``."""

    def __init__(self, kind: str) -> None:
        if kind not in PEER_FACTORIES:
            raise ConfigError(f"unknown peer tracker {kind!r}; choose from {sorted(PEER_FACTORIES)}")
        self.kind = kind
        self.name = kind.upper()
        self._tracker: object | None = None
        self._box: Box | None = None
        self._state = TrackState.IDLE

    @property
    def state(self) -> TrackState:
        """IDLE before init or after reset, TRACKING while OpenCV reports the target, else LOST."""
        return self._state

    @property
    def box(self) -> Box | None:
        """The last box, in pixels, or None when idle."""
        return self._box

    def init(self, frame: np.ndarray, box: Box | tuple[float, float, float, float]) -> None:
        """Start tracking the object inside ``box`` (pixels x, y, w, h; rounded for OpenCV) of a BGR frame."""
        frame = validate_frame(frame)
        box = validate_box(box, frame.shape[1], frame.shape[0])
        rect = (int(round(box.x)), int(round(box.y)), max(int(round(box.w)), 1), max(int(round(box.h)), 1))
        self._tracker = PEER_FACTORIES[self.kind]()
        self._tracker.init(frame, rect)
        self._box = box
        self._state = TrackState.TRACKING

    def update(self, frame: np.ndarray) -> TrackResult:
        """Track into ``frame``; the inference stage time is OpenCV's ``update`` call, in milliseconds."""
        if self._tracker is None or self._box is None:
            raise NotInitializedError(f"{self.name}: update() called before init(frame, box)")
        t0 = time.perf_counter()
        frame = validate_frame(frame)
        t1 = time.perf_counter()
        ok, rect = self._tracker.update(frame)
        t2 = time.perf_counter()
        if ok:
            self._box = Box(*(float(v) for v in rect))
            self._state = TrackState.TRACKING
        else:
            self._state = TrackState.LOST
        timings = StageTimings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (time.perf_counter() - t2) * 1e3)
        return TrackResult(self._box, 1.0 if ok else 0.0, bool(ok), self._state, timings)

    def reset(self) -> None:
        """Drop the target; the next update needs a new init."""
        self._tracker = None
        self._box = None
        self._state = TrackState.IDLE


def create_peer(name: str) -> OpenCVPeer:
    """Create the OpenCV tracker named ``name`` (csrt, kcf or mil; case-insensitive)."""
    return OpenCVPeer(name.strip().lower())


def parse_peers(text: str | None) -> list[str]:
    """Turn ``"csrt,kcf"`` into ``["csrt", "kcf"]``; ``"none"`` or an empty string gives no peers."""
    names = [n.strip().lower() for n in (text or "").split(",") if n.strip()]
    if names in ([], ["none"]):
        return []
    unknown = [n for n in names if n not in PEER_FACTORIES]
    if unknown:
        raise ConfigError(f"unknown peer tracker(s) {unknown}; choose from {sorted(PEER_FACTORIES)} or 'none'")
    return names
