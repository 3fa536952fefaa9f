# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The one loss all families share: focal loss on the score map, L1 and GIoU on the box at the target cell."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F


@dataclass(frozen=True)
class LossWeights:
    """Relative weights of the three terms (OSTrack's defaults)."""

    focal: float = 1.0
    l1: float = 5.0
    giou: float = 2.0


def target_cells(boxes: torch.Tensor, h: int, w: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Integer (ix, iy) of the cell holding each box centre; boxes are (B, 4) cx, cy, w, h in crop fractions."""
    ix = (boxes[:, 0] * w).floor().clamp(0, w - 1).long()
    iy = (boxes[:, 1] * h).floor().clamp(0, h - 1).long()
    return ix, iy


def gaussian_heatmap(boxes: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """(B, 1, H, W) Gaussian peaks of value exactly 1 at each target cell, sigma from the box size."""
    ix, iy = target_cells(boxes, h, w)
    sigma = ((boxes[:, 2] * w + boxes[:, 3] * h) / 12.0).clamp(min=0.5)
    ys = torch.arange(h, dtype=boxes.dtype).view(1, h, 1)
    xs = torch.arange(w, dtype=boxes.dtype).view(1, 1, w)
    d2 = (xs - ix.view(-1, 1, 1)) ** 2 + (ys - iy.view(-1, 1, 1)) ** 2
    return torch.exp(-d2 / (2 * sigma.view(-1, 1, 1) ** 2)).unsqueeze(1)


def focal_loss(logits: torch.Tensor, heat: torch.Tensor) -> torch.Tensor:
    """Compute the CenterNet focal loss between score logits and a Gaussian heatmap, averaged over targets."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = heat.eq(1).float()
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p ** 2 * (1 - heat) ** 4 * (1 - pos)
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def boxes_at_cells(size: torch.Tensor, offset: torch.Tensor, ix: torch.Tensor, iy: torch.Tensor) -> torch.Tensor:
    """Predicted (cx, cy, w, h) at given cells of the size and offset maps."""
    _, _, h, w = size.shape
    ar = torch.arange(size.shape[0])
    cx = (ix.to(size.dtype) + offset[ar, 0, iy, ix]) / w
    cy = (iy.to(size.dtype) + offset[ar, 1, iy, ix]) / h
    return torch.stack([cx, cy, size[ar, 0, iy, ix], size[ar, 1, iy, ix]], dim=1)


def giou_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean (1 - GIoU) between (cx, cy, w, h) boxes."""
    def corners(b: torch.Tensor) -> torch.Tensor:
        return torch.stack([b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2,
                            b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2], dim=1)
    p, t = corners(pred), corners(target)
    inter = ((torch.min(p[:, 2], t[:, 2]) - torch.max(p[:, 0], t[:, 0])).clamp(min=0)
             * (torch.min(p[:, 3], t[:, 3]) - torch.max(p[:, 1], t[:, 1])).clamp(min=0))
    area_p = (p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1])
    area_t = (t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1])
    union = area_p + area_t - inter
    iou = inter / union.clamp(min=1e-7)
    hull = ((torch.max(p[:, 2], t[:, 2]) - torch.min(p[:, 0], t[:, 0]))
            * (torch.max(p[:, 3], t[:, 3]) - torch.min(p[:, 1], t[:, 1])))
    giou = iou - (hull - union) / hull.clamp(min=1e-7)
    return (1 - giou).mean()


def tracking_loss(outputs: tuple[torch.Tensor, torch.Tensor, torch.Tensor], boxes: torch.Tensor,
                  weights: LossWeights = LossWeights()) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss and its parts for (score_logits, size, offset) against target boxes (B, 4) in crop fractions."""
    logits, size, offset = outputs
    _, _, h, w = logits.shape
    heat = gaussian_heatmap(boxes, h, w)
    ix, iy = target_cells(boxes, h, w)
    pred = boxes_at_cells(size, offset, ix, iy)
    focal = focal_loss(logits, heat)
    l1 = F.l1_loss(pred, boxes)
    giou = giou_loss(pred, boxes)
    total = weights.focal * focal + weights.l1 * l1 + weights.giou * giou
    parts = {"focal": focal.item(), "l1": l1.item(), "giou": giou.item(), "total": total.item()}
    return total, parts
