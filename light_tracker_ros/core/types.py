# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Small frozen value types that travel between the core, the backends and the ROS layer."""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in image pixels: (x, y) is the top-left corner, w and h the size (0-based)."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def from_center(cls, cx: float, cy: float, w: float, h: float) -> "Box":
        """Build a box from its centre and size, in pixels."""
        return cls(cx - w / 2.0, cy - h / 2.0, w, h)

    @property
    def cx(self) -> float:
        """Centre x in pixels."""
        return self.x + self.w / 2.0

    @property
    def cy(self) -> float:
        """Centre y in pixels."""
        return self.y + self.h / 2.0

    @property
    def area(self) -> float:
        """Area in square pixels."""
        return max(self.w, 0.0) * max(self.h, 0.0)

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return (x, y, w, h)."""
        return (self.x, self.y, self.w, self.h)

    def is_finite(self) -> bool:
        """Return True when all four numbers are finite."""
        return all(math.isfinite(v) for v in self.as_tuple())

    def clipped(self, width: int, height: int) -> "Box":
        """Return the part of the box inside a width x height image (may have zero area)."""
        x0 = min(max(self.x, 0.0), float(width))
        y0 = min(max(self.y, 0.0), float(height))
        x1 = min(max(self.x + self.w, 0.0), float(width))
        y1 = min(max(self.y + self.h, 0.0), float(height))
        return Box(x0, y0, x1 - x0, y1 - y0)

    def iou(self, other: "Box") -> float:
        """Intersection over union with another box, 0 when either has no area."""
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0


class TrackState(str, enum.Enum):
    """Where the tracker is in its life cycle."""

    IDLE = "idle"
    TRACKING = "tracking"
    LOST = "lost"


@dataclass(frozen=True)
class StageTimings:
    """Wall-clock time of each stage of one update, in milliseconds."""

    preprocess_ms: float = 0.0
    inference_ms: float = 0.0
    postprocess_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        """Sum of the three stages, in milliseconds."""
        return self.preprocess_ms + self.inference_ms + self.postprocess_ms


@dataclass(frozen=True)
class TrackResult:
    """Outcome of one update: the box (pixels), the peak score in [0, 1], and whether it counts as found."""

    box: Box
    score: float
    found: bool
    state: TrackState
    timings: StageTimings


class TrackedTarget:
    """The ``state`` and ``box`` every tracker exposes (ours and the OpenCV peers); subclasses set them."""

    def __init__(self) -> None:
        self._box: Box | None = None
        self._state = TrackState.IDLE

    @property
    def state(self) -> TrackState:
        """IDLE before init or after reset, TRACKING while the target is found, else LOST."""
        return self._state

    @property
    def box(self) -> Box | None:
        """The last box, in pixels, or None when idle."""
        return self._box
