# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
OpenCV's trackers behind the same API as :class:`light_tracker_ros.core.tracker.Tracker`.

CSRT, KCF and MIL need nothing else. ``nanotrack`` (cv2.TrackerNano, NanoTrack v2's two ONNX files) and
``vittrack`` (cv2.TrackerVit, one ONNX file) need model files, given by option or environment variable
(:data:`PEER_FILES`); a missing one is a ConfigError naming both.

CSRT, KCF and MIL give only an ok flag, so their score is 1.0 when OpenCV reports the target and 0.0
otherwise; NanoTrack and VitTrack report their tracking score. When OpenCV does not find the target, the
last box is kept (as our tracker does) and the state is LOST until it finds it again.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Mapping

import cv2
import numpy as np

from light_tracker_ros.core.errors import ConfigError, NotInitializedError
from light_tracker_ros.core.preprocessing import validate_box, validate_frame
from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState, TrackedTarget

PEER_FACTORIES: dict[str, Callable[[], object]] = {
    "csrt": cv2.TrackerCSRT_create,
    "kcf": cv2.TrackerKCF_create,
    "mil": cv2.TrackerMIL_create,
}
#: model files of the peers that need them: file key -> (command-line option, environment variable)
PEER_FILES: dict[str, dict[str, tuple[str, str]]] = {
    "nanotrack": {"backbone": ("--nanotrack-backbone", "LIGHT_TRACKER_NANOTRACK_BACKBONE"),
                  "head": ("--nanotrack-head", "LIGHT_TRACKER_NANOTRACK_HEAD")},
    "vittrack": {"net": ("--vittrack", "LIGHT_TRACKER_VITTRACK")},
}
PEER_NAMES = tuple(PEER_FACTORIES) + tuple(PEER_FILES)


def peer_files(kind: str, given: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """
    Return the model files of peer ``kind``: each from ``given`` (by file key) or else its environment variable.

    :raises ConfigError: a file is not given or does not exist; the message names the option and the variable.
    """
    files = {}
    for key, (option, variable) in PEER_FILES.get(kind, {}).items():
        value = (given or {}).get(key) or os.environ.get(variable, "")
        if not value:
            raise ConfigError(f"peer {kind} needs its {key} model file: give {option} PATH or set {variable}")
        path = Path(value).expanduser()
        if not path.is_file():
            raise ConfigError(f"peer {kind}: {key} model file {path} (from {option} or {variable}) does not exist")
        files[key] = str(path)
    return files


def _opencv_tracker(kind: str, files: dict[str, str]) -> object:
    """Create the OpenCV tracker ``kind`` with its model files."""
    if kind == "nanotrack":
        params = cv2.TrackerNano_Params()
        params.backbone, params.neckhead = files["backbone"], files["head"]
        return cv2.TrackerNano.create(params)
    if kind == "vittrack":
        params = cv2.TrackerVit_Params()
        params.net = files["net"]
        return cv2.TrackerVit.create(params)
    return PEER_FACTORIES[kind]()


class OpenCVPeer(TrackedTarget):
    """One OpenCV tracker with ``init(frame, box)``, ``update(frame) -> TrackResult`` and ``reset()``."""

    def __init__(self, kind: str, files: Mapping[str, str | None] | None = None) -> None:
        if kind not in PEER_NAMES:
            raise ConfigError(f"unknown peer tracker {kind!r}; choose from {sorted(PEER_NAMES)}")
        super().__init__()
        self.kind = kind
        self.name = {"nanotrack": "NanoTrack", "vittrack": "VitTrack"}.get(kind, kind.upper())
        self.files = peer_files(kind, files)
        self._tracker: object | None = None

    def init(self, frame: np.ndarray, box: Box | tuple[float, float, float, float]) -> None:
        """Start tracking the object inside ``box`` (pixels x, y, w, h; rounded for OpenCV) of a BGR frame."""
        frame = validate_frame(frame)
        box = validate_box(box, frame.shape[1], frame.shape[0])
        rect = (int(round(box.x)), int(round(box.y)), max(int(round(box.w)), 1), max(int(round(box.h)), 1))
        try:
            self._tracker = _opencv_tracker(self.kind, self.files)
        except cv2.error as exc:
            raise ConfigError(f"peer {self.name} cannot load its model files {self.files}: "
                              f"{str(exc).strip().splitlines()[-1]}") from exc
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
        score = float(self._tracker.getTrackingScore()) if self.kind in PEER_FILES else float(ok)
        if ok:
            self._box = Box(*(float(v) for v in rect))
            self._state = TrackState.TRACKING
        else:
            self._state = TrackState.LOST
        timings = StageTimings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (time.perf_counter() - t2) * 1e3)
        return TrackResult(self._box, score if ok else 0.0, bool(ok), self._state, timings)

    def reset(self) -> None:
        """Drop the target; the next update needs a new init."""
        self._tracker = None
        self._box = None
        self._state = TrackState.IDLE


def create_peer(name: str, files: Mapping[str, str | None] | None = None) -> OpenCVPeer:
    """Create the OpenCV tracker ``name`` (csrt, kcf, mil, nanotrack, vittrack; case-insensitive)."""
    return OpenCVPeer(name.strip().lower(), files)


def parse_peers(text: str | None) -> list[str]:
    """Turn ``"csrt,kcf"`` into ``["csrt", "kcf"]``; ``"none"`` or an empty string gives no peers."""
    names = [n.strip().lower() for n in (text or "").split(",") if n.strip()]
    if names in ([], ["none"]):
        return []
    unknown = [n for n in names if n not in PEER_NAMES]
    if unknown:
        raise ConfigError(f"unknown peer tracker(s) {unknown}; choose from {sorted(PEER_NAMES)} or 'none'")
    return names
