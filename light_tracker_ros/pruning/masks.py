# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Soft masks on the gates (one learnable weight per unit), their L1 penalty, and reading them back."""
from __future__ import annotations

from typing import Mapping

import torch
from torch import nn

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.models.layers import Gate
from light_tracker_ros.pruning.units import KINDS, UnitMap


def gates(model: nn.Module) -> dict[str, Gate]:
    """Every Gate of ``model`` by module path."""
    return {name: m for name, m in model.named_modules() if isinstance(m, Gate)}


def attach_masks(model: nn.Module, value: float = 1.0, values: Mapping[str, torch.Tensor] | None = None) -> None:
    """Give every gate a learnable mask, all at ``value`` or taken from ``values`` (name -> tensor)."""
    for name, gate in gates(model).items():
        init = torch.full((gate.units,), float(value))
        if values is not None and name in values:
            init = torch.as_tensor(values[name], dtype=torch.float32).clone()
            if init.shape != (gate.units,):
                raise ConfigError(f"mask for gate {name} has shape {tuple(init.shape)}, the gate has {gate.units} "
                                  "units; the masks belong to another architecture")
        gate.mask = nn.Parameter(init)


def mask_values(model: nn.Module) -> dict[str, torch.Tensor]:
    """Return the current mask of every gate that has one, as detached float tensors."""
    return {name: g.mask.detach().clone() for name, g in gates(model).items() if g.mask is not None}


def mask_parameters(model: nn.Module) -> list[nn.Parameter]:
    """Return the mask parameters (for their own optimiser group)."""
    return [g.mask for g in gates(model).values() if g.mask is not None]


def l1_penalty(model: nn.Module, unit_map: UnitMap, weights: Mapping[str, float]) -> torch.Tensor:
    """Sum over gates of ``weights[kind] * sum(|mask|)`` (ViT-Slim / network-slimming sparsity term)."""
    unknown = sorted(set(weights) - set(KINDS))
    if unknown:
        raise ConfigError(f"penalty weights for unknown unit kinds {unknown}; known kinds: {list(KINDS)}")
    total = torch.zeros(())
    for name, gate in gates(model).items():
        if gate.mask is not None:
            total = total + weights.get(unit_map.by_name[name].kind, 0.0) * gate.mask.abs().sum()
    return total


def mask_l1(model: nn.Module) -> float:
    """Plain L1 norm of all masks (to watch the search shrink them)."""
    return float(sum(g.mask.detach().abs().sum() for g in gates(model).values() if g.mask is not None))
