# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The tracking objective: the shared loss of models/losses.py on every trainable parameter."""
from __future__ import annotations

import torch

from light_tracker_ros.models.losses import tracking_loss
from light_tracker_ros.training.batches import Batch
from light_tracker_ros.training.engine import Forward, Objective, Stats


class TrackingObjective(Objective):
    """Focal + L1 + GIoU loss of the model's outputs against the batch's boxes (training a parent)."""

    def __call__(self, net: Forward, batch: Batch) -> tuple[torch.Tensor, Stats]:
        """Loss and its parts (focal, l1, giou, total)."""
        template, search, boxes = batch
        return tracking_loss(net(template, search), boxes)
