# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training a parent: the Trainer with the tracking objective on weighted pair folders (one process or torchrun)."""
from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

import torch

from light_tracker_ros.core.config import to_mapping
from light_tracker_ros.core.paths import data_dir
from light_tracker_ros.data.pairs import load_sources, pair_sources
from light_tracker_ros.models.net import TrackerNet, build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.training.batches import StepBatches
from light_tracker_ros.training.config import TrainConfig
from light_tracker_ros.training.distributed import init_distributed
from light_tracker_ros.training.engine import RunFiles, Trainer, TrainerSettings
from light_tracker_ros.training.objectives import TrackingObjective
from light_tracker_ros.training.validation import validate

log = logging.getLogger(__name__)


def settings(cfg: TrainConfig, progress: bool = True) -> TrainerSettings:
    """Return the Trainer settings of a training config."""
    return TrainerSettings(name=cfg.name, steps=cfg.steps, lr=cfg.lr, warmup_steps=cfg.warmup_steps, lr_floor=0.05,
                           max_minutes=cfg.max_minutes, optimizer="adamw", weight_decay=cfg.weight_decay,
                           grad_clip=cfg.grad_clip, precision=cfg.precision, checkpoint_every=cfg.checkpoint_every,
                           snapshot_every=cfg.snapshot_every, val_every=cfg.val_every, history_every=20,
                           progress=progress)


def train(cfg: TrainConfig, run_dir: Path | None = None, model: TrackerNet | None = None,
          progress: bool = True, max_steps: int | None = None) -> dict[str, Any]:
    """
    Train ``cfg.variant`` (or ``model``) on ``cfg.pairs``; resume from ``run_dir/last.pt`` if present.

    ``max_steps`` stops after that many steps of this call (see :meth:`Trainer.fit`).

    Returns the final state (step, minutes, history, best validation IoU, world size).
    """
    info = init_distributed()
    torch.set_num_threads(cfg.num_threads)
    torch.manual_seed(cfg.seed + info.rank)
    run_dir = Path(run_dir or data_dir() / "runs" / cfg.name)
    run_dir.mkdir(parents=True, exist_ok=True)
    model = model or build_model(architecture(cfg.variant))
    parts, table = load_sources(pair_sources(cfg.pairs), data_dir())
    batches = StepBatches(parts, table, cfg.batch_size, cfg.seed, info.rank, cfg.augment)
    check = None
    if cfg.val_pairs:
        val_parts, _ = load_sources(pair_sources(cfg.val_pairs, "val_pairs"), data_dir())
        n = min(cfg.val_size, sum(len(p) for p in val_parts))
        check = partial(_validate, parts=val_parts, n=n)
    trainer = Trainer(model, TrackingObjective(), batches.batch, settings(cfg, progress), RunFiles.run_dir(run_dir),
                      info, check, config=to_mapping(cfg))
    if trainer.resume():
        old = trainer.state.get("config", {}).get("pairs")
        if old != list(cfg.pairs):  # data changed on resume: keep the record
            trainer.state.setdefault("data_history", []).append({"from_step": trainer.state["step"],
                                                                 "pairs": list(cfg.pairs)})
        trainer.state["config"] = to_mapping(cfg)
    return trainer.fit(max_steps)


def _validate(model: TrackerNet, parts: list, n: int) -> dict[str, float]:
    return validate(model, parts, range(n))
