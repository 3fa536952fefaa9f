# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Unit maps of the imported architectures (NanoTrack v2/v3, VitTrack) on random weights.

All-ones masks and a full plan change nothing (torch and ONNX Runtime), a sliced child computes what the
masked parent computed, and the closed-form parameter count is the child's.
"""
from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny import mask_as_plan

from light_tracker_ros.backends import open_backend
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.pruning.masks import attach_masks
from light_tracker_ros.pruning.plan import make_plan
from light_tracker_ros.pruning.slicing import slice_model
from light_tracker_ros.pruning.units import build_unit_map

VARIANTS = ("nanotrack_v3", "nanotrack_v2", "vittrack")


def random_parent(variant: str) -> torch.nn.Module:
    torch.manual_seed(5)
    net = build_model(architecture(variant)).eval()
    with torch.no_grad():
        for mod in net.modules():  # non-trivial norms and biases; NanoTrack's exp() box kept in range
            if isinstance(mod, torch.nn.LayerNorm):
                mod.weight.add_(0.1 * torch.randn_like(mod.weight))
        if variant.startswith("nanotrack"):
            net.head.bbox_pred.weight.mul_(0.1)
            net.head.bbox_pred.bias.fill_(math.log(30.0))
    return net


def crops(net: torch.nn.Module, batch: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    arch = net.architecture
    scale = 255.0 if arch.get("net") == "nanotrack" else 1.0  # NanoTrack takes raw 0-255 pixels
    g = torch.Generator().manual_seed(1)
    return (torch.rand(batch, 3, arch["template_size"], arch["template_size"], generator=g) * scale,
            torch.rand(batch, 3, arch["search_size"], arch["search_size"], generator=g) * scale)


@pytest.mark.parametrize("variant", VARIANTS)
def test_unit_map_covers_the_named_unit_kinds(variant: str) -> None:
    unit_map = build_unit_map(random_parent(variant))
    kinds = {g.kind for g in unit_map.groups}
    names = [g.name for g in unit_map.groups]
    if variant.startswith("nanotrack"):
        assert any(n.endswith(".gate") and "backbone.blocks" in n for n in names)  # expansions
        assert any(n.endswith(".se.fc.2") for n in names)  # squeeze-excite widths
        assert sum("tower" in n for n in names) == 12  # every width of both towers
    else:
        assert {"heads", "head_dims", "mlp", "trunk", "conv"} <= kinds
    assert 0 < unit_map.prunable_params < unit_map.total_params


@pytest.mark.parametrize("variant", VARIANTS)
@torch.no_grad()
def test_all_ones_masks_and_full_plan_change_nothing(variant: str, tmp_path: Path) -> None:
    parent = random_parent(variant)
    template, search = crops(parent)
    reference = parent(template, search)
    attach_masks(parent, 1.0)
    unit_map = build_unit_map(parent)
    plan = make_plan(unit_map, {g.name: list(range(g.units)) for g in unit_map.groups}, 1.0, "global")
    child = slice_model(parent, plan).eval()
    for a, b in zip(reference, child(template, search)):
        assert torch.equal(a, b)
    export_onnx(child, tmp_path, "child")
    outputs = open_backend(tmp_path / "child.onnx").run(template.numpy(), search.numpy())
    for a, b in zip(reference, outputs):
        np.testing.assert_allclose(b, a.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("variant", VARIANTS)
@torch.no_grad()
def test_sliced_child_computes_what_the_masked_parent_computed(variant: str) -> None:
    parent = random_parent(variant)
    unit_map = build_unit_map(parent)
    rng = random.Random(3)
    kept = {g.name: sorted(rng.sample(range(g.units), max(1, g.units // 2))) for g in unit_map.groups}
    plan = make_plan(unit_map, kept, None, "global", parent="test")
    attach_masks(parent)
    mask_as_plan(parent, plan)
    template, search = crops(parent, batch=2)
    child = slice_model(parent, plan).eval()
    child_params = sum(p.numel() for p in child.parameters())
    assert child_params == plan.kept_params + plan.rest_params
    assert child_params < unit_map.total_params
    for a, b in zip(parent(template, search), child(template, search)):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-4)
