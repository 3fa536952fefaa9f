# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Budget thresholding: the kept fraction hits the budget, the most important units survive, no layer empties."""
from __future__ import annotations

import pytest
import torch

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.pruning.budget import budget_plan, magnitude_importance, select_units
from light_tracker_ros.pruning.units import build_unit_map


def known_masks(unit_map, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {grp.name: torch.rand(grp.units, generator=g) for grp in unit_map.groups}


def max_unit_cost(unit_map) -> int:
    counts = unit_map.full_counts()
    return max(unit_map.unit_cost(g.name, counts) for g in unit_map.groups)


@pytest.mark.parametrize("variant", ["cnn_small", "vit_small", "hybrid_small"])
@pytest.mark.parametrize("budget", [0.5, 0.25, 0.1, 0.05, 0.01])
@pytest.mark.parametrize("mode", ["global", "per_layer"])
def test_budget_is_hit(variant: str, budget: float, mode: str) -> None:
    unit_map = build_unit_map(build_model(architecture(variant)))
    plan = budget_plan(unit_map, known_masks(unit_map), budget, mode)
    target = budget * unit_map.prunable_params
    assert plan.kept_params <= target
    # within 0.2% of the prunable parameters of the target (a fraction of one conv channel or head)
    assert target - plan.kept_params <= 0.002 * unit_map.prunable_params
    assert all(len(idx) >= 1 for idx in plan.kept.values())
    assert plan.mode == mode


def test_one_percent_per_layer_keeps_every_layer_alive() -> None:
    unit_map = build_unit_map(build_model(architecture("vit_small")))
    masks = known_masks(unit_map)
    kept, mode = select_units(unit_map, masks, 0.01, "auto", per_layer_below=0.05)
    assert mode == "per_layer"
    assert min(len(v) for v in kept.values()) >= 1
    # per layer: each gate keeps its own most important units
    for name, idx in kept.items():
        top = torch.argsort(masks[name], descending=True)[:len(idx)]
        assert sorted(top.tolist()) == idx
    # a global threshold at 1% would cut some gates down to the minimum of one unit
    kept_global, _ = select_units(unit_map, masks, 0.01, "global")
    assert min(len(v) for v in kept_global.values()) == 1


def test_global_ranking_drops_the_smallest_masks() -> None:
    unit_map = build_unit_map(build_model(architecture("cnn_tiny")))
    masks = {g.name: torch.ones(g.units) for g in unit_map.groups}
    victim = unit_map.groups[-1].name
    masks[victim][:5] = 0.0  # the five least important units of the whole model
    plan = budget_plan(unit_map, masks, 0.9, "global")
    assert set(range(5)).isdisjoint(plan.kept[victim])
    assert plan.kept_params <= 0.9 * unit_map.prunable_params


def test_exact_budget_on_a_known_case() -> None:
    # cnn_tiny: 4 gates; keeping exactly half of the units of one basic block removes a known count
    unit_map = build_unit_map(build_model(architecture("cnn_tiny")))
    masks = {g.name: torch.ones(g.units) for g in unit_map.groups}
    block = "backbone.stages.1.0.gate"  # conv1 16->32 (3x3) + bn, conv2 32->32 reads it
    masks[block][16:] = 0.0
    removed = 16 * (16 * 9 + 2) + 16 * 32 * 9
    budget = 1 - removed / unit_map.prunable_params
    plan = budget_plan(unit_map, masks, budget, "global")
    assert plan.kept_params == unit_map.prunable_params - removed
    assert plan.kept[block] == list(range(16))


def test_bad_budget_is_rejected_with_the_value() -> None:
    unit_map = build_unit_map(build_model(architecture("cnn_tiny")))
    with pytest.raises(ConfigError, match="0.0"):
        budget_plan(unit_map, magnitude_importance(build_model(architecture("cnn_tiny")), unit_map), 0.0)
    with pytest.raises(ConfigError, match="budget mode"):
        budget_plan(unit_map, known_masks(unit_map), 0.5, "magic")
