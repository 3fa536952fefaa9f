# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Distilled fine-tuning of a sliced child (DDP-ready), and its validation on held-out pairs."""
from __future__ import annotations

import logging
import math
from typing import Any, Callable, Sequence

import torch
from tqdm import tqdm

from light_tracker_ros.data.pairs import PairArrays, PairDataset
from light_tracker_ros.models.head import decode_peak
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.data import StepBatches, stack
from light_tracker_ros.pruning.distill import DistillWeights, FeatureTap, finetune_loss
from light_tracker_ros.training.distributed import DistInfo, wrap_ddp

log = logging.getLogger(__name__)
Checkpoint = Callable[[int, dict[str, Any]], None]


def distill_weights(cfg: PruneConfig) -> DistillWeights:
    """Return the distillation weights of a config."""
    return DistillWeights(cfg.distill_score, cfg.distill_box, cfg.distill_features, cfg.distill_temperature)


def finetune(child: TrackerNet, teacher: TrackerNet, batches: StepBatches, cfg: PruneConfig, stream: int,
             info: DistInfo = DistInfo(), start_step: int = 0, optimizer_state: dict[str, Any] | None = None,
             checkpoint: Checkpoint | None = None, label: str = "fine-tune") -> list[dict[str, float]]:
    """Fine-tune for ``cfg.finetune_steps`` steps (AdamW, cosine decay): tracking loss + distillation."""
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    child.train()
    optimizer = torch.optim.AdamW(child.parameters(), lr=cfg.finetune_lr, weight_decay=cfg.weight_decay)
    if optimizer_state:
        optimizer.load_state_dict(optimizer_state)
    net = wrap_ddp(FeatureTap(child), info)
    weights = distill_weights(cfg)
    history = []
    bar = tqdm(range(start_step, cfg.finetune_steps), desc=label, disable=not info.is_main, initial=start_step,
               total=cfg.finetune_steps, leave=False)
    for step in bar:
        lr = cfg.finetune_lr * 0.5 * (1.0 + math.cos(math.pi * step / max(cfg.finetune_steps, 1)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        template, search, boxes = batches.batch(step, stream=stream)
        loss, parts = finetune_loss(net, teacher, template, search, boxes, weights, cfg.precision)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(child.parameters(), cfg.grad_clip)
        optimizer.step()
        history.append({"step": step + 1, "lr": lr, **parts})
        bar.set_postfix(loss=f"{parts['total']:.3f}")
        if checkpoint and ((step + 1) % cfg.checkpoint_every == 0 or step + 1 == cfg.finetune_steps):
            checkpoint(step + 1, optimizer.state_dict())
    child.eval()
    return history


@torch.no_grad()
def validate(model: TrackerNet, pairs: PairArrays, indices: Sequence[int], batch: int = 32) -> dict[str, float]:
    """Mean IoU and success rate (IoU > 0.5) of the peak box on held-out pairs (empty dict without pairs)."""
    if len(indices) == 0:
        return {}
    was_training = model.training
    model.eval()
    dataset = PairDataset(pairs, augment=False)
    ious = []
    for start in range(0, len(indices), batch):
        template, search, boxes = stack([dataset[int(i)] for i in indices[start:start + batch]])
        ious.append(box_iou(decode_peak(*model(template, search)), boxes))
    model.train(was_training)
    iou = torch.cat(ious)
    return {"val_pairs": len(indices), "val_iou": float(iou.mean()), "val_success50": float((iou > 0.5).float().mean())}


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Row-wise IoU of (cx, cy, w, h) boxes."""
    def corners(x: torch.Tensor) -> torch.Tensor:
        half = x[:, 2:] / 2
        return torch.cat([x[:, :2] - half, x[:, :2] + half], 1)
    p, q = corners(a), corners(b)
    inter = ((torch.min(p[:, 2], q[:, 2]) - torch.max(p[:, 0], q[:, 0])).clamp(min=0)
             * (torch.min(p[:, 3], q[:, 3]) - torch.max(p[:, 1], q[:, 1])).clamp(min=0))
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter).clamp(min=1e-9)
