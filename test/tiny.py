# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The one tiny-model helper of the tests: cnn_tiny trained by the package's Trainer on synthetic pairs.

Importable as ``tiny`` from every test folder (pytest puts ``test/`` on sys.path for ``test/conftest.py``).
The result depends only on the arguments: one torch thread and fixed seeds, whatever ran before.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any


def train_tiny_model(root: Path, steps: int = 600, name: str = "tiny_tracker", pairs: int = 8192, seed: int = 0,
                     lr: float = 2e-3, augment: bool = False, training: dict[str, Any] | None = None,
                     models: Path | None = None) -> Path:
    """
    Train cnn_tiny for ``steps`` steps (batch 32, fp32) on ``pairs`` synthetic pairs and export it.

    Work files go to ``root/pairs`` and ``root/run``; returns ``<models>/<name>.onnx`` (default ``root/models``)
    with its card, whose ``training`` field is ``training`` (default: the recipe).
    """
    import torch

    from light_tracker_ros.data.pairs import synthetic_pairs
    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    from light_tracker_ros.training.config import TrainConfig
    from light_tracker_ros.training.run import train

    models = models or root / "models"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        arch = architecture("cnn_tiny")
        synthetic_pairs(pairs, arch["template_size"], arch["search_size"], seed=seed).save(root / "pairs")
        cfg = TrainConfig(name=name, variant="cnn_tiny", pairs=[str(root / "pairs")], batch_size=32, steps=steps,
                          warmup_steps=max(steps // 20, 1), lr=lr, augment=augment, checkpoint_every=steps,
                          precision="fp32", seed=seed, num_threads=1)
        model = build_model(arch)
        train(cfg, root / "run", model=model, progress=False)
        card_training = training or {"recipe": recipe(steps, pairs, seed, lr, augment)}
        export_onnx(model.eval(), models, name, training=card_training)
    finally:
        torch.set_num_threads(threads)
    return models / f"{name}.onnx"


def recipe(steps: int, pairs: int, seed: int, lr: float, augment: bool) -> str:
    """Describe a tiny model's training in one line (also a cache key)."""
    return (f"cnn_tiny Trainer synthetic pairs n={pairs} seed={seed} {'augment ' if augment else ''}adamw lr={lr} "
            f"bs=32 steps={steps} fp32")


def mask_as_plan(model: Any, plan: Any, seed: int = 0) -> None:
    """Set the attached masks of ``model`` to zero outside ``plan.kept`` and to random values in [0.5, 1.5) inside."""
    import torch

    from light_tracker_ros.pruning.masks import gates
    generator = torch.Generator().manual_seed(seed)
    for name, gate in gates(model).items():
        mask = torch.zeros(gate.units)
        mask[plan.kept[name]] = 0.5 + torch.rand(len(plan.kept[name]), generator=generator)
        gate.mask.data.copy_(mask)
