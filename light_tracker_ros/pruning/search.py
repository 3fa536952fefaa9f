# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Mask search: learn one soft mask per unit with the tracking loss plus an L1 penalty (ViT-Slim style)."""
from __future__ import annotations

import math

from typing import Any, Callable, Mapping

import torch

from light_tracker_ros.models.losses import tracking_loss
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.masks import attach_masks, gates, l1_penalty, mask_l1, mask_parameters
from light_tracker_ros.pruning.units import build_unit_map
from light_tracker_ros.training.batches import Batch
from light_tracker_ros.training.distributed import DistInfo
from light_tracker_ros.training.engine import Forward, Objective, RunFiles, Stats, Trainer, TrainerSettings


class MaskSearchObjective(Objective):
    """
    Tracking loss plus ``penalties[kind] * |mask|`` summed over the gates; trains the masks at ``mask_lr``.

    Masks are attached (all ones) if the model has none. With ``weight_lr`` 0 the parent is frozen, batch-norm
    statistics included (the model stays in eval mode); otherwise its weights train at ``weight_lr``.
    """

    def __init__(self, model: TrackerNet, penalties: Mapping[str, float], mask_lr: float, weight_lr: float = 0.0
                 ) -> None:
        if any(g.mask is None for g in gates(model).values()):
            attach_masks(model)
        self.unit_map = build_unit_map(model)
        self.penalties = dict(penalties)
        self.mask_lr, self.weight_lr = mask_lr, weight_lr
        self.model = model

    def _weights(self, model: TrackerNet) -> list[torch.nn.Parameter]:
        masks = {id(m) for m in mask_parameters(model)}
        return [p for p in model.parameters() if id(p) not in masks]

    def param_groups(self, model: TrackerNet) -> list[dict[str, Any]]:
        """Return the masks, and the weights when they train."""
        groups: list[dict[str, Any]] = [{"params": mask_parameters(model), "lr": self.mask_lr}]
        if self.weight_lr > 0:
            groups.append({"params": self._weights(model), "lr": self.weight_lr})
        return groups

    def start(self, model: TrackerNet) -> None:
        """Freeze the weights (and batch-norm statistics) unless they train."""
        for p in self._weights(model):
            p.requires_grad_(self.weight_lr > 0)
        model.train(self.weight_lr > 0)

    def finish(self, model: TrackerNet) -> None:
        """Make every weight trainable again."""
        for p in self._weights(model):
            p.requires_grad_(True)

    def __call__(self, net: Forward, batch: Batch) -> tuple[torch.Tensor, Stats]:
        """Loss + penalty; stats: loss, penalty and total."""
        template, search, boxes = batch
        loss, _ = tracking_loss(net(template, search), boxes)
        penalty = l1_penalty(self.model, self.unit_map, self.penalties)
        total = loss + penalty
        return total, {"loss": loss.item(), "penalty": penalty.item(), "total": total.item()}

    def after_step(self, model: TrackerNet) -> Stats:
        """Return the masks' plain L1 norm after the update (to watch the search shrink them)."""
        return {"mask_l1": mask_l1(model)}


def search_trainer(model: TrackerNet, batches: Callable[[int], Batch], cfg: PruneConfig, files: RunFiles = RunFiles(),
                   info: DistInfo = DistInfo(), progress: bool = True) -> Trainer:
    """Build the Trainer of the mask search: Adam at a constant rate for ``cfg.search_steps`` steps, no clipping."""
    objective = MaskSearchObjective(model, cfg.penalties, cfg.search_mask_lr, cfg.search_weight_lr)
    settings = TrainerSettings(name="mask search", stage="mask search", steps=cfg.search_steps,
                               lr=cfg.search_mask_lr, lr_floor=1.0, optimizer="adam", precision=cfg.precision,
                               checkpoint_every=cfg.checkpoint_every, progress=progress,
                               max_minutes=cfg.search_minutes or math.inf)
    return Trainer(model, objective, batches, settings, files, info)
