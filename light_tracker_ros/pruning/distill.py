# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Fine-tuning loss of a pruned child: the tracking loss plus distillation from its parent.

Score map: BCE between the child's logits and the parent's probabilities (both divided by a temperature).
Boxes: L1 between the child's and the parent's size and offset maps, weighted by the parent's score map so
that the cells where the parent sees the target count most. Features (optional): MSE between the fused maps,
which must have the same width in parent and child: true for the transformer and hybrid, whose
residual-stream widths are never pruned, not for the CNN, whose correlation width is.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.models.losses import tracking_loss
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.training.batches import Batch
from light_tracker_ros.training.engine import Forward, Objective

Outputs = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class DistillWeights:
    """Weights of the three distillation terms, the score-map temperature and the tracking loss's weight."""

    score: float = 1.0
    box: float = 1.0
    features: float = 0.0
    temperature: float = 1.0
    track: float = 1.0


class FeatureTap(nn.Module):
    """
    Wraps a TrackerNet so one forward (the one DDP synchronises) returns its outputs and fused features.

    With ``features`` False the map is None and the net runs its own ``forward`` (imported architectures such
    as NanoTrack have no single fused map).
    """

    def __init__(self, net: TrackerNet, features: bool = True) -> None:
        super().__init__()
        self.net = net
        self.features = features

    def forward(self, template: torch.Tensor, search: torch.Tensor) -> tuple[Outputs, torch.Tensor | None]:
        """Head outputs and the (B, C, H, W) fused map (None unless ``features``)."""
        if not self.features:
            return self.net(template, search), None
        feat = self.net.forward_features(template, search)
        return self.net.head(feat), feat


def distillation_loss(student: Outputs, teacher: Outputs, weights: DistillWeights,
                      student_feat: torch.Tensor | None = None, teacher_feat: torch.Tensor | None = None
                      ) -> tuple[torch.Tensor, dict[str, float]]:
    """Weighted sum of the score, box and feature terms (see the module docstring) and their values."""
    s_logits, s_size, s_offset = student
    t_logits, t_size, t_offset = (t.detach() for t in teacher)
    temp = weights.temperature
    score = F.binary_cross_entropy_with_logits(s_logits / temp, torch.sigmoid(t_logits / temp))
    w = torch.sigmoid(t_logits)
    w = w / w.sum(dim=(2, 3), keepdim=True).clamp(min=1e-6)
    box = sum(((s - t).abs() * w).sum(dim=(2, 3)).mean() for s, t in ((s_size, t_size), (s_offset, t_offset)))
    total = weights.score * score + weights.box * box
    parts = {"kd_score": score.item(), "kd_box": box.item()}
    if weights.features > 0 and student_feat is not None and teacher_feat is not None:
        if student_feat.shape != teacher_feat.shape:
            raise ConfigError(f"feature distillation needs fused maps of the same shape, got child "
                              f"{tuple(student_feat.shape)} and parent {tuple(teacher_feat.shape)} (the CNN's "
                              "correlation width is pruned): set distill_features 0")
        feat = F.mse_loss(student_feat, teacher_feat.detach())
        total = total + weights.features * feat
        parts["kd_features"] = feat.item()
    return total, parts


class DistillObjective(Objective):
    """
    Tracking loss plus distillation from a frozen ``teacher`` (fine-tuning a pruned child).

    The child is forwarded through a :class:`FeatureTap` (the module DDP synchronises); the teacher runs under
    the same precision without gradients. Losses are computed in float32.
    """

    def __init__(self, teacher: TrackerNet, weights: DistillWeights) -> None:
        self.teacher = FeatureTap(teacher.eval(), weights.features > 0)
        for p in teacher.parameters():
            p.requires_grad_(False)
        self.weights = weights

    def module(self, model: TrackerNet) -> nn.Module:
        """Wrap the child so that it returns its fused features too."""
        return FeatureTap(model, self.weights.features > 0)

    def finish(self, model: TrackerNet) -> None:
        """Leave the child in eval mode."""
        model.eval()

    def __call__(self, net: Forward, batch: Batch) -> tuple[torch.Tensor, dict[str, float]]:
        """Total loss; stats: the tracking loss parts, kd_score, kd_box (kd_features) and total."""
        template, search, boxes = batch
        s_out, s_feat = net(template, search)
        with torch.no_grad():
            t_out, t_feat = net.run(self.teacher, template, search)
        track, parts = tracking_loss(s_out, boxes)
        kd, kd_parts = distillation_loss(s_out, t_out, self.weights, s_feat, t_feat)
        total = self.weights.track * track + kd
        return total, {**parts, **kd_parts, "total": total.item()}
