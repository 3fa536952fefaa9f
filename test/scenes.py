# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Generated scenes for tests (importable as ``scenes``: pytest puts test/ on sys.path for its conftest)."""
from __future__ import annotations

import cv2
import numpy as np


def moving_target_frames(n: int = 40, size: tuple[int, int] = (240, 320), step: tuple[float, float] = (3.0, 1.5),
                         seed: int = 3) -> tuple[list[np.ndarray], np.ndarray]:
    """
    Frames (BGR uint8) of a textured ellipse moving at constant velocity over a fixed noise background.

    Returns the frames and the true boxes (n, 4) as pixel x, y, w, h.
    """
    rng = np.random.default_rng(seed)
    h, w = size
    background = cv2.GaussianBlur(rng.integers(0, 90, (h, w, 3), dtype=np.uint8), (3, 3), 0)
    frames, boxes = [], []
    axes = (16, 12)
    for i in range(n):
        cx, cy = 80 + step[0] * i, 90 + step[1] * i
        frame = background.copy()
        cv2.ellipse(frame, (int(cx), int(cy)), axes, 0, 0, 360, (40, 200, 230), -1)
        frames.append(frame)
        boxes.append((int(cx) - axes[0], int(cy) - axes[1], 2 * axes[0] + 1, 2 * axes[1] + 1))
    return frames, np.array(boxes, float)
