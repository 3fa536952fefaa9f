# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
From unit importances to a plan that keeps a given fraction of the prunable parameters.

``global``: rank every unit of every gate by importance (|mask|) and drop the least important until the
closed-form kept count reaches the budget, then add back the most important dropped units that still fit.
``per_layer``: keep the same fraction of units in every gate, that fraction found by bisection, then top up
one unit at a time. ``auto``: global, except per layer under ``per_layer_below`` (a global threshold would
empty whole layers at budgets such as 1%). No gate ever keeps fewer than ``min_units`` units. Per layer, a
``multiple`` above 1 keeps every gate's count a multiple of it (or the whole gate): ONNX Runtime's blocked
convolution kernels (NCHWc, blocks of 8 channels on AVX2) need such widths, and a child with odd widths can run
slower than its parent.
"""
from __future__ import annotations

import logging
from typing import Mapping

import torch
from torch import nn

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.pruning.plan import PruningPlan, make_plan
from light_tracker_ros.pruning.units import UnitMap

log = logging.getLogger(__name__)
MODES = ("global", "per_layer", "auto")


def magnitude_importance(model: nn.Module, unit_map: UnitMap) -> dict[str, torch.Tensor]:
    """Per-unit L2 norm of every weight a unit owns (a search-free importance, for per-layer use)."""
    state = model.state_dict()
    scores = {}
    for g in unit_map.groups:
        sq = torch.zeros(g.units)
        for s in g.slices:
            t = state[s.name].detach().float().movedim(s.dim, 0).reshape(*s.layout, -1)
            sq += t.movedim(s.digit, 0).reshape(g.units, -1).pow(2).sum(1)
        scores[g.name] = sq.sqrt()
    return scores


def _check(unit_map: UnitMap, importance: Mapping[str, torch.Tensor], budget: float, min_units: int) -> None:
    if not 0.0 < budget <= 1.0:
        raise ConfigError(f"budget must be a fraction in (0, 1] of the prunable parameters, got {budget!r}")
    if min_units < 1:
        raise ConfigError(f"min_units must be >= 1 (a gate may never lose all its units), got {min_units}")
    for g in unit_map.groups:
        if g.name not in importance or tuple(importance[g.name].shape) != (g.units,):
            raise ConfigError(f"importance for gate {g.name} is missing or not of shape ({g.units},)")


def _global(unit_map: UnitMap, importance: Mapping[str, torch.Tensor], target: float,
            min_units: int) -> dict[str, list[int]]:
    counts = unit_map.full_counts()
    kept = unit_map.prunable_params
    alive = {g.name: set(range(g.units)) for g in unit_map.groups}
    order = sorted((float(v), gi, u, g.name) for gi, g in enumerate(unit_map.groups)
                   for u, v in enumerate(importance[g.name].abs().tolist()))
    removed = []
    for _, _, u, name in order:
        if kept <= target:
            break
        if counts[name] <= min_units:
            continue
        kept -= unit_map.unit_cost(name, counts)
        counts[name] -= 1
        alive[name].discard(u)
        removed.append((name, u))
    for name, u in reversed(removed):  # most important first: add back whatever still fits
        add = -unit_map.unit_cost(name, counts, +1)
        if kept + add <= target:
            kept += add
            counts[name] += 1
            alive[name].add(u)
    return {name: sorted(units) for name, units in alive.items()}


def _per_layer(unit_map: UnitMap, importance: Mapping[str, torch.Tensor], target: float,
               min_units: int, multiple: int = 1) -> dict[str, list[int]]:
    def rounded(n: int, units: int) -> int:
        return min(units, max(min_units, multiple, n - n % multiple))

    def counts_at(r: float) -> dict[str, int]:
        return {g.name: rounded(max(min_units, int(r * g.units)), g.units) for g in unit_map.groups}

    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if unit_map.kept_params(counts_at(mid)) <= target else (lo, mid)
    counts = counts_at(lo)
    kept = unit_map.kept_params(counts)
    grew = True
    while grew:  # top up the thinnest layers one unit at a time while it fits
        grew = False
        for g in sorted(unit_map.groups, key=lambda g: counts[g.name] / g.units):
            if counts[g.name] < g.units:
                grown = {**counts, g.name: min(g.units, counts[g.name] + multiple)}
                add = unit_map.kept_params(grown) - kept
                if kept + add <= target:
                    kept += add
                    counts = grown
                    grew = True
                    break
    kept_idx = {}
    for g in unit_map.groups:
        order = sorted(range(g.units), key=lambda u: (-abs(float(importance[g.name][u])), u))
        kept_idx[g.name] = sorted(order[:counts[g.name]])
    return kept_idx


def select_units(unit_map: UnitMap, importance: Mapping[str, torch.Tensor], budget: float, mode: str = "auto",
                 per_layer_below: float = 0.05, min_units: int = 1, multiple: int = 1
                 ) -> tuple[dict[str, list[int]], str]:
    """
    Kept unit indices per gate for ``budget`` (fraction of prunable parameters), and the mode used.

    :raises ConfigError: budget outside (0, 1], unknown mode, or importances that do not fit the unit map.
    """
    _check(unit_map, importance, budget, min_units)
    if mode not in MODES:
        raise ConfigError(f"budget mode must be one of {MODES}, got {mode!r}")
    if mode == "auto":
        mode = "per_layer" if budget < per_layer_below else "global"
    target = budget * unit_map.prunable_params + 1e-6  # parameter counts are integers: absorb float rounding
    floor = unit_map.kept_params({g.name: min(min_units, g.units) for g in unit_map.groups})
    if floor > target:
        log.warning("budget %.4f is below the smallest model that keeps %d unit(s) per gate (%.4f of the "
                    "prunable parameters); keeping that minimum", budget, min_units, floor / unit_map.prunable_params)
    if mode == "global":
        if multiple > 1:
            raise ConfigError("unit multiples are kept per layer only: set budget_mode per_layer")
        return _global(unit_map, importance, target, min_units), mode
    return _per_layer(unit_map, importance, target, min_units, multiple), mode


def budget_plan(unit_map: UnitMap, importance: Mapping[str, torch.Tensor], budget: float, mode: str = "auto",
                per_layer_below: float = 0.05, min_units: int = 1, parent: str | None = None, multiple: int = 1
                ) -> PruningPlan:
    """Make the pruning plan that keeps ``budget`` of the prunable parameters (see the module docstring)."""
    kept, used = select_units(unit_map, importance, budget, mode, per_layer_below, min_units, multiple)
    plan = make_plan(unit_map, kept, budget, used, parent)
    log.info("budget %.4f (%s): kept %d of %d prunable parameters (%.4f)", budget, used, plan.kept_params,
             plan.prunable_params, plan.kept_fraction)
    return plan
