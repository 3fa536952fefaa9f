# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Slicing: all-ones masks change nothing (torch and ONNX Runtime); masked and sliced models agree; plans replay."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch
from prune_fixtures import inputs, tiny_model
from tiny import mask_as_plan

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.pruning.masks import attach_masks
from light_tracker_ros.pruning.plan import PruningPlan, make_plan
from light_tracker_ros.pruning.slicing import replay_plan, slice_model
from light_tracker_ros.pruning.units import build_unit_map


def keep_all(unit_map):
    return make_plan(unit_map, {g.name: list(range(g.units)) for g in unit_map.groups}, 1.0, "global")


def random_plan(unit_map, seed: int = 3):
    rng = random.Random(seed)
    return make_plan(unit_map, {g.name: rng.sample(range(g.units), rng.randint(1, max(1, g.units // 2)))
                                for g in unit_map.groups}, None, "global", parent="test")


@torch.no_grad()
def test_all_ones_masks_leave_outputs_unchanged_in_torch_and_onnx(variant: str, tmp_path: Path) -> None:
    parent = tiny_model(variant)
    template, search = inputs(parent)
    reference = parent(template, search)
    attach_masks(parent, 1.0)
    child = slice_model(parent, keep_all(build_unit_map(parent))).eval()
    for a, b in zip(reference, child(template, search)):
        assert torch.equal(a, b)
    export_onnx(child, tmp_path, "child", weight_storage="float32")  # exactness of slicing, not of storage
    outputs = open_backend(tmp_path / "child.onnx").run(template.numpy(), search.numpy())
    for a, b in zip(reference, outputs):
        np.testing.assert_allclose(b, a.numpy(), rtol=1e-4, atol=1e-5)


@torch.no_grad()
def test_sliced_model_computes_what_the_masked_parent_computed(variant: str) -> None:
    parent = tiny_model(variant)
    unit_map = build_unit_map(parent)
    plan = random_plan(unit_map)
    attach_masks(parent)
    mask_as_plan(parent, plan)
    template, search = inputs(parent, batch=2)
    child = slice_model(parent, plan).eval()
    assert sum(p.numel() for p in child.parameters()) < sum(p.numel() for p in parent.parameters())
    for a, b in zip(parent(template, search), child(template, search)):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5)


@torch.no_grad()
def test_plan_save_and_replay_gives_the_same_model(variant: str, tmp_path: Path) -> None:
    parent = tiny_model(variant)
    plan = random_plan(build_unit_map(parent), seed=11)
    first = replay_plan(parent, plan)
    plan.save(tmp_path / "plan.json")
    again = replay_plan(tiny_model(variant), PruningPlan.load(tmp_path / "plan.json"))
    assert again.architecture == first.architecture
    state_a, state_b = first.state_dict(), again.state_dict()
    assert state_a.keys() == state_b.keys()
    assert all(torch.equal(state_a[k], state_b[k]) for k in state_a)


def test_a_plan_for_another_model_is_rejected() -> None:
    plan = random_plan(build_unit_map(tiny_model("cnn_tiny")))
    with pytest.raises(ConfigError, match="does not fit"):
        slice_model(tiny_model("vit_tiny"), plan)
