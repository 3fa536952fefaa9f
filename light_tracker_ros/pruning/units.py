"""Prunable units of a TrackerNet (placeholder count; the pruning package replaces it with the exact map)."""
from __future__ import annotations

from torch import nn

from light_tracker_ros.models.layers import Gate


def prunable_param_count(model: nn.Module) -> int:
    """Approximate number of parameters owned by gated units (to be made exact by the unit map)."""
    gated = 0
    for module in model.modules():
        children = list(module.children())
        if any(isinstance(c, Gate) for c in children):
            gated += sum(p.numel() for n, p in module.named_parameters() if not n.endswith("mask"))
    return gated
