# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Validation on held-out pairs: loss, and IoU of the box at the score map's peak."""
from __future__ import annotations

from typing import Sequence

import torch

from light_tracker_ros.data.pairs import IMAGENET_RGB, Normalisation, PairArrays, PairDataset
from light_tracker_ros.models.head import decode_peak
from light_tracker_ros.models.losses import tracking_loss
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.training.batches import stack


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Row-wise IoU of (cx, cy, w, h) boxes."""
    def corners(x: torch.Tensor) -> torch.Tensor:
        half = x[:, 2:] / 2
        return torch.cat([x[:, :2] - half, x[:, :2] + half], 1)
    p, q = corners(a), corners(b)
    inter = ((torch.min(p[:, 2], q[:, 2]) - torch.max(p[:, 0], q[:, 0])).clamp(min=0)
             * (torch.min(p[:, 3], q[:, 3]) - torch.max(p[:, 1], q[:, 1])).clamp(min=0))
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter).clamp(min=1e-9)


@torch.no_grad()
def validate(model: TrackerNet, pairs: PairArrays | Sequence[PairArrays], indices: Sequence[int],
             batch: int = 64, norm: Normalisation = IMAGENET_RGB) -> dict[str, float]:
    """
    Mean loss, mean IoU and success rate (IoU > 0.5) of the peak box on the held-out pairs ``indices``.

    Crops are normalised as ``norm`` says (the model card's). Returns an empty dict when there are none; the
    model's train/eval mode is restored.
    """
    if len(indices) == 0:
        return {}
    was_training = model.training
    model.eval()
    dataset = PairDataset(pairs, augment=False, norm=norm)
    losses, ious = [], []
    for start in range(0, len(indices), batch):
        template, search, boxes = stack([dataset[int(i)] for i in indices[start:start + batch]])
        outputs = model(template, search)
        losses.append(tracking_loss(outputs, boxes)[0].item() * len(boxes))
        ious.append(box_iou(decode_peak(*outputs), boxes))
    model.train(was_training)
    iou = torch.cat(ious)
    return {"val_pairs": len(indices), "val_loss": sum(losses) / len(indices), "val_iou": float(iou.mean()),
            "val_success50": float((iou > 0.5).float().mean())}
