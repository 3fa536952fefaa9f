# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Distilled fine-tuning of a sliced child: the Trainer with the distillation objective (DDP-ready)."""
from __future__ import annotations

import math

from typing import Any, Callable

from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.distill import DistillObjective, DistillWeights
from light_tracker_ros.training.batches import Batch
from light_tracker_ros.training.distributed import DistInfo
from light_tracker_ros.training.engine import RunFiles, Trainer, TrainerSettings


def distill_weights(cfg: PruneConfig) -> DistillWeights:
    """Return the distillation weights of a config."""
    return DistillWeights(cfg.distill_score, cfg.distill_box, cfg.distill_features, cfg.distill_temperature,
                          cfg.distill_track)


def finetune_trainer(child: TrackerNet, teacher: TrackerNet, batches: Callable[[int], Batch], cfg: PruneConfig,
                     files: RunFiles = RunFiles(), info: DistInfo = DistInfo(), name: str = "fine-tune",
                     extra: dict[str, Any] | None = None, progress: bool = True) -> Trainer:
    """Build the Trainer of fine-tuning: AdamW, cosine decay from ``finetune_lr`` to 0 over ``finetune_steps``."""
    settings = TrainerSettings(name=name, stage="fine-tuning", steps=cfg.finetune_steps, lr=cfg.finetune_lr,
                               lr_floor=0.0, optimizer="adamw", weight_decay=cfg.weight_decay, grad_clip=cfg.grad_clip,
                               precision=cfg.precision, checkpoint_every=cfg.checkpoint_every, progress=progress,
                               max_minutes=cfg.finetune_minutes or math.inf)
    return Trainer(child, DistillObjective(teacher, distill_weights(cfg)), batches, settings, files, info,
                   extra=extra)
