# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The unit map: every gate covered, closed-form counts equal to real sliced models."""
from __future__ import annotations

import random

import pytest
from prune_fixtures import tiny_model

from light_tracker_ros.models.export import count_params
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.pruning.masks import gates
from light_tracker_ros.pruning.plan import make_plan
from light_tracker_ros.pruning.slicing import slice_model
from light_tracker_ros.pruning.units import build_unit_map, prunable_param_count


def test_every_gate_is_a_unit_group(variant: str) -> None:
    model = tiny_model(variant)
    unit_map = build_unit_map(model)
    assert {g.name for g in unit_map.groups} == set(gates(model))
    assert unit_map.prunable_params + unit_map.rest_params == count_params(model)
    assert unit_map.kept_params(unit_map.full_counts()) == unit_map.prunable_params
    assert prunable_param_count(model) == unit_map.prunable_params


def test_consumers_are_mapped() -> None:
    unit_map = build_unit_map(tiny_model("vit_tiny"))
    last_stem = unit_map.by_name["embed.layers.1.gate"]
    assert any(s.name == "embed.layers.2.weight" and s.dim == 1 and s.fold for s in last_stem.slices)
    small = build_unit_map(build_model(architecture("vit_small")))  # a two-layer head trunk
    assert {s.name for s in small.by_name["head.trunk.2"].slices if s.fold} == {"head.trunk.3.0.weight"}
    assert not any(g.name.startswith("head.trunk.5") for g in small.groups)  # feeds score/size/offset: kept whole
    assert "head.trunk.2" not in unit_map.by_name  # vit_tiny's only trunk layer is the last one
    heads = unit_map.by_name["fusion.blocks.0.attn.gate"]
    assert {(s.name, s.dim) for s in heads.slices} >= {("fusion.blocks.0.attn.qkv.weight", 0),
                                                       ("fusion.blocks.0.attn.proj.weight", 1)}


def test_cnn_correlation_width_is_one_group() -> None:
    """Channel c of both adjust convs goes together (depthwise correlation), read by the head's first conv."""
    group = build_unit_map(tiny_model("cnn_tiny")).by_name["fusion_gate"]
    names = {(s.name, s.dim, s.fold) for s in group.slices}
    assert {("adjust_template.0.weight", 0, False), ("adjust_search.0.weight", 0, False),
            ("adjust_search.1.running_var", 0, False), ("head.trunk.0.0.weight", 1, True)} <= names
    assert group.arch_path == ("fusion", "channels")


@pytest.mark.parametrize("variant", ["cnn_tiny", "vit_tiny", "hybrid_tiny", "cnn_small", "vit_small", "hybrid_small"])
def test_random_keep_sets_give_the_predicted_parameter_count(variant: str) -> None:
    model = build_model(architecture(variant))
    unit_map = build_unit_map(model)
    rng = random.Random(variant)
    for _ in range(2):
        kept = {g.name: rng.sample(range(g.units), rng.randint(1, g.units)) for g in unit_map.groups}
        plan = make_plan(unit_map, kept, None, "global")
        child = slice_model(model, plan)
        assert count_params(child) == plan.kept_params + unit_map.rest_params
        assert build_unit_map(child).prunable_params == plan.kept_params
