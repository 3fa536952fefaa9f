# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The sample camera's clip: frames decoded into memory and the target's box per frame (ROS-free)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from light_tracker_ros.core.errors import InvalidFrameError
from light_tracker_ros.core.types import Box

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_CLIP = DATA_DIR / "vtest_ped1.avi"


@dataclass(frozen=True)
class Clip:
    """Decoded BGR frames, the frame rate, and the target box of each frame (pixels, may be empty)."""

    name: str
    frames: tuple[np.ndarray, ...]
    fps: float
    boxes: tuple[Box, ...]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.frames[0].shape[1], self.frames[0].shape[0]


def load_clip(path: str | Path | None = None) -> Clip:
    """
    Decode a video (default: the bundled vtest clip) and read the boxes from ``<stem>.json`` beside it.

    :raises InvalidFrameError: the file is missing or OpenCV cannot decode it.
    """
    path = Path(path) if path else BUNDLED_CLIP
    if not path.exists():
        raise InvalidFrameError(f"clip {path} does not exist")
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    cap.release()
    if not frames:
        raise InvalidFrameError(f"OpenCV decoded no frame of {path}; it needs an OpenCV build with FFmpeg "
                                "(opencv-python or the distribution's python3-opencv)")
    boxes: tuple[Box, ...] = ()
    meta_path = path.with_suffix(".json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        boxes = tuple(Box(*map(float, b)) for b in meta.get("boxes", []))
    return Clip(path.stem, tuple(frames), float(fps), boxes)
