# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: a tiny tracker really trained on synthetic pairs."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def trained_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a cnn_tiny ONNX model (with card) trained for a few hundred steps on synthetic pairs."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    from light_tracker_ros.training.config import TrainConfig
    from light_tracker_ros.training.loop import train
    from light_tracker_ros.data.pairs import synthetic_pairs

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny_model")
    synthetic_pairs(8192, 32, 64, seed=0).save(root / "pairs")
    cfg = TrainConfig(name="tiny", variant="cnn_tiny", pairs=[str(root / "pairs")], batch_size=32, steps=600,
                      warmup_steps=30, lr=2e-3, augment=False, checkpoint_every=1000)
    model = build_model(architecture("cnn_tiny"))
    train(cfg, root / "run", model=model, progress=False)
    export_onnx(model, root / "models", "tiny_tracker")
    return root / "models" / "tiny_tracker.onnx"
