# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Helpers of the pruning tests: one torch thread, tiny seeded models of every family."""
from __future__ import annotations

import torch

from light_tracker_ros.models.net import TrackerNet, build_model
from light_tracker_ros.models.registry import architecture

torch.set_num_threads(1)
TINY = ("cnn_tiny", "vit_tiny", "hybrid_tiny")


def tiny_model(variant: str, seed: int = 0) -> TrackerNet:
    """Build a seeded tiny model in eval mode with non-trivial batch-norm statistics."""
    torch.manual_seed(seed)
    model = build_model(architecture(variant))
    for name, buf in model.named_buffers():
        if name.endswith("running_mean"):
            buf.uniform_(-0.2, 0.2)
        elif name.endswith("running_var"):
            buf.uniform_(0.5, 1.5)
    return model.eval()


def inputs(model: TrackerNet, batch: int = 1, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Random normalised template and search crops for ``model``."""
    g = torch.Generator().manual_seed(seed)
    t, s = model.architecture["template_size"], model.architecture["search_size"]
    return torch.randn(batch, 3, t, t, generator=g), torch.randn(batch, 3, s, s, generator=g)
