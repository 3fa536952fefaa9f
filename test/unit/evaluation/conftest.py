# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for the evaluation tests: one thread, generated frames, a tiny exported model."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

cv2.setNumThreads(1)


def moving_square(n: int = 12, size: tuple[int, int] = (120, 160), side: int = 24, step: tuple[int, int] = (3, 1),
                  seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """Frames (BGR uint8, HxW ``size``) of a textured square moving ``step`` pixels per frame, and its boxes."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 60, (*size, 3), dtype=np.uint8)
    frames, boxes = [], []
    for i in range(n):
        x, y = 20 + step[0] * i, 30 + step[1] * i
        frame = background.copy()
        frame[y:y + side, x:x + side] = (40, 200, 240)
        frame[y + side // 4:y + 3 * side // 4, x + side // 4:x + 3 * side // 4] = (200, 40, 40)
        frames.append(frame)
        boxes.append((x, y, side, side))
    return frames, np.asarray(boxes, dtype=np.float64)


@pytest.fixture(autouse=True)
def _single_thread():
    """Keep OpenCV on one thread (the machine is shared with a training job)."""
    cv2.setNumThreads(1)
    yield


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """Export an untrained cnn_tiny to ONNX with its card (plumbing tests only)."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture

    torch.set_num_threads(1)
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models")
    export_onnx(build_model(architecture("cnn_tiny")), folder, "cnn_tiny")
    return folder / "cnn_tiny.onnx"


@pytest.fixture
def make_square():
    """Give the :func:`moving_square` generator as a fixture (test modules do not import conftest)."""
    return moving_square
