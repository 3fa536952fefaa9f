# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Frame and box checks, the square crop-and-resize around a box, and normalisation into model inputs."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from light_tracker_ros.core.errors import InvalidBoxError, InvalidFrameError
from light_tracker_ros.core.types import Box


def validate_frame(frame: object) -> np.ndarray:
    """Return ``frame`` as an HxWx3 uint8 BGR array; accept HxW or HxWx1 grey; raise InvalidFrameError."""
    if not isinstance(frame, np.ndarray):
        raise InvalidFrameError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.size == 0:
        raise InvalidFrameError(f"frame is empty (shape {frame.shape})")
    if frame.dtype != np.uint8:
        raise InvalidFrameError(f"frame must be uint8, got {frame.dtype}; convert with frame.astype(np.uint8)")
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2BGR)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    raise InvalidFrameError(f"frame must be HxW, HxWx3 or HxWx4, got shape {frame.shape}")


def validate_box(box: Box | tuple | list, width: int, height: int) -> Box:
    """Return ``box`` as a Box clipped to the image; raise InvalidBoxError if it is NaN, empty or outside."""
    if not isinstance(box, Box):
        try:
            box = Box(*[float(v) for v in box])
        except (TypeError, ValueError) as exc:
            raise InvalidBoxError(f"box must be (x, y, w, h) in pixels, got {box!r}") from exc
    if not box.is_finite():
        raise InvalidBoxError(f"box has a non-finite value: {box.as_tuple()}")
    if box.w <= 0 or box.h <= 0:
        raise InvalidBoxError(f"box must have positive width and height, got w={box.w}, h={box.h}")
    clipped = box.clipped(width, height)
    if clipped.w < 1 or clipped.h < 1:
        raise InvalidBoxError(f"box {box.as_tuple()} lies outside the {width}x{height} image")
    return clipped


@dataclass(frozen=True)
class CropWindow:
    """A square window of ``side`` pixels centred on (cx, cy) in the frame, resized to ``size`` pixels."""

    cx: float
    cy: float
    side: float
    size: int

    @property
    def scale(self) -> float:
        """Crop pixels per frame pixel."""
        return self.size / self.side

    def box_to_frame(self, cx: float, cy: float, w: float, h: float) -> Box:
        """Map a box given in normalised crop coordinates ([0, 1] centre and size) to frame pixels."""
        x0 = self.cx - self.side / 2.0
        y0 = self.cy - self.side / 2.0
        return Box.from_center(x0 + cx * self.side, y0 + cy * self.side, w * self.side, h * self.side)

    def box_to_crop(self, box: Box) -> tuple[float, float, float, float]:
        """Map a frame box to normalised crop coordinates (cx, cy, w, h) in [0, 1] units of the crop side."""
        x0 = self.cx - self.side / 2.0
        y0 = self.cy - self.side / 2.0
        return ((box.cx - x0) / self.side, (box.cy - y0) / self.side, box.w / self.side, box.h / self.side)


def window_for(box: Box, factor: float, size: int) -> CropWindow:
    """Return the crop window of side ``factor * sqrt(w*h)`` around ``box`` (the OSTrack convention)."""
    side = max(factor * math.sqrt(max(box.w, 1.0) * max(box.h, 1.0)), 4.0)
    return CropWindow(box.cx, box.cy, side, size)


def crop(frame: np.ndarray, window: CropWindow) -> np.ndarray:
    """Cut ``window`` out of ``frame`` and resize it to size x size; outside pixels replicate the border."""
    s = window.scale
    matrix = np.array([[s, 0.0, -(window.cx - window.side / 2.0) * s],
                       [0.0, s, -(window.cy - window.side / 2.0) * s]], dtype=np.float64)
    interp = cv2.INTER_AREA if s < 1.0 else cv2.INTER_LINEAR
    return cv2.warpAffine(frame, matrix, (window.size, window.size), flags=interp,
                          borderMode=cv2.BORDER_REPLICATE)


def to_input(patch: np.ndarray, mean: tuple[float, float, float], std: tuple[float, float, float],
             channel_order: str = "rgb") -> np.ndarray:
    """
    Turn a BGR uint8 HxWx3 patch into a normalised float32 1x3xHxW tensor, ``(patch / 255 - mean) / std``.

    Each output plane is one table look-up of its input channel (``cv2.LUT``): a uint8 has 256 values, so the
    float32 arithmetic is done once per value, and the result is bit-for-bit that of doing it per pixel.
    """
    planes = cv2.split(patch)  # B, G, R
    if channel_order == "rgb":
        planes = planes[::-1]
    out = np.empty((1, 3) + patch.shape[:2], np.float32)
    for channel, table in enumerate(_normalisation_tables(tuple(mean), tuple(std))):
        cv2.LUT(planes[channel], table, dst=out[0, channel])
    return out


@functools.lru_cache(maxsize=16)
def _normalisation_tables(mean: tuple[float, ...], std: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    """Per output channel, the 1x256 float32 table of ``(v * (1/255) - mean) / std`` (the per-pixel float32 steps)."""
    values = np.arange(256, dtype=np.uint8).astype(np.float32)[:, None] * (1.0 / 255.0)
    table = (values - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)  # 256 x channels
    return tuple(np.ascontiguousarray(table[:, c]).reshape(1, 256) for c in range(table.shape[1]))
