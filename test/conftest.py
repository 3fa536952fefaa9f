# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: a tiny tracker really trained on synthetic pairs, and moving-target frames."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


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


@pytest.fixture(scope="session")
def trained_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a cnn_tiny ONNX model (with card) trained for a few hundred steps on synthetic pairs."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    from light_tracker_ros.training.config import TrainConfig
    from light_tracker_ros.training.loop import train
    from light_tracker_ros.training.pairs import synthetic_pairs

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny_model")
    synthetic_pairs(8192, 32, 64, seed=0).save(root / "pairs")
    cfg = TrainConfig(name="tiny", variant="cnn_tiny", pairs=[str(root / "pairs")], batch_size=32, steps=600,
                      warmup_steps=30, lr=2e-3, augment=False, checkpoint_every=1000)
    model = build_model(architecture("cnn_tiny"))
    train(cfg, root / "run", model=model, progress=False)
    export_onnx(model, root / "models", "tiny_tracker")
    return root / "models" / "tiny_tracker.onnx"
