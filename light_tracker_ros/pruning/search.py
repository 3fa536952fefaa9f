# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Mask search: learn one soft mask per unit with the tracking loss plus an L1 penalty (ViT-Slim style)."""
from __future__ import annotations

import logging
from typing import Any, Callable

import torch
from tqdm import tqdm

from light_tracker_ros.models.losses import tracking_loss
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.data import StepBatches
from light_tracker_ros.pruning.masks import attach_masks, gates, l1_penalty, mask_l1, mask_parameters
from light_tracker_ros.pruning.units import build_unit_map
from light_tracker_ros.training.distributed import DistInfo, wrap_ddp

log = logging.getLogger(__name__)
Checkpoint = Callable[[int, dict[str, Any]], None]


def search_masks(model: TrackerNet, batches: StepBatches, cfg: PruneConfig, info: DistInfo = DistInfo(),
                 start_step: int = 0, optimizer_state: dict[str, Any] | None = None,
                 checkpoint: Checkpoint | None = None) -> list[dict[str, float]]:
    """
    Train the masks (and, if ``search_weight_lr`` > 0, the weights) for ``cfg.search_steps`` steps.

    Masks are attached (all ones) if the model has none. ``checkpoint(step, optimizer_state)`` is called every
    ``cfg.checkpoint_every`` steps and at the end. Returns one record per step (loss, penalty, mask L1).
    """
    unit_map = build_unit_map(model)
    if any(g.mask is None for g in gates(model).values()):
        attach_masks(model)
    train_weights = cfg.search_weight_lr > 0
    masks = mask_parameters(model)
    mask_ids = {id(m) for m in masks}
    weights = [p for p in model.parameters() if id(p) not in mask_ids]
    for p in weights:
        p.requires_grad_(train_weights)
    groups: list[dict[str, Any]] = [{"params": masks, "lr": cfg.search_mask_lr}]
    if train_weights:
        groups.append({"params": weights, "lr": cfg.search_weight_lr})
    optimizer = torch.optim.Adam(groups)
    if optimizer_state:
        optimizer.load_state_dict(optimizer_state)
    net = wrap_ddp(model, info)
    model.train(train_weights)  # a frozen parent keeps its batch-norm statistics
    history = []
    bar = tqdm(range(start_step, cfg.search_steps), desc="mask search", disable=not info.is_main,
               initial=start_step, total=cfg.search_steps, leave=False)
    for step in bar:
        template, search, boxes = batches.batch(step, stream=0)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.precision == "bf16"):
            outputs = net(template, search)
        loss, _ = tracking_loss(tuple(o.float() for o in outputs), boxes)
        penalty = l1_penalty(model, unit_map, cfg.penalties)
        optimizer.zero_grad(set_to_none=True)
        (loss + penalty).backward()
        optimizer.step()
        record = {"step": step + 1, "loss": loss.item(), "penalty": penalty.item(), "mask_l1": mask_l1(model)}
        history.append(record)
        bar.set_postfix(loss=f"{record['loss']:.3f}", l1=f"{record['mask_l1']:.1f}")
        if checkpoint and ((step + 1) % cfg.checkpoint_every == 0 or step + 1 == cfg.search_steps):
            checkpoint(step + 1, optimizer.state_dict())
    for p in weights:
        p.requires_grad_(True)
    if history:
        log.info("mask search: %d steps, loss %.4f, mask L1 %.2f", len(history), history[-1]["loss"],
                 history[-1]["mask_l1"])
    return history
