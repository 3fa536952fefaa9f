# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Physical slicing: a smaller architecture dict plus the parent's weights cut to the kept units.

Why not Torch-Pruning's dependency graph: every prunable group here is an explicit Gate whose coupled
tensors (producer rows, batch norm, consumer columns, q/k/v/proj layouts) are listed once in
``pruning/units.py``, and residual-stream widths are never gated, so there is no coupling left for a traced
graph to discover. Torch-Pruning also edits modules in place, which would leave the architecture dict, the
model card and the torch backend's ``build_model(card.architecture)`` out of step; here a child is simply
``build_model(new_arch)`` loaded with sliced tensors, which ONNX export and both backends already understand.
"""
from __future__ import annotations

import copy
from typing import Any

import torch

from light_tracker_ros.models.net import TrackerNet, build_model
from light_tracker_ros.pruning.masks import mask_values
from light_tracker_ros.pruning.plan import PruningPlan
from light_tracker_ros.pruning.units import UnitMap, build_unit_map, dim_indices


def _set_path(tree: Any, path: tuple, value: Any) -> Any:
    """Copy of ``tree`` with ``tree[path] = value``; containers along the path are copied (no aliasing)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    node = list(tree) if isinstance(tree, (list, tuple)) else dict(tree)
    node[head] = _set_path(node[head], rest, value)
    return node


def sliced_architecture(arch: dict[str, Any], unit_map: UnitMap, counts: dict[str, int],
                        suffix: str = "pruned") -> dict[str, Any]:
    """Return the architecture dict with every gated width set to its kept count (attention scales frozen)."""
    new = copy.deepcopy(arch)
    if "blocks" in new:  # a pruned head_dim must keep its parent's softmax temperature
        new["blocks"] = [{**b, "scale": b.get("scale", b["head_dim"] ** -0.5)} for b in new["blocks"]]
    for g in unit_map.groups:
        new = _set_path(new, g.arch_path, int(counts[g.name]))
    new["variant"] = f"{arch.get('variant', 'custom')}-{suffix}"
    return new


def sliced_state(model: TrackerNet, unit_map: UnitMap, plan: PruningPlan, fold_masks: bool = True
                 ) -> dict[str, torch.Tensor]:
    """Return the parent's state dict cut to the plan; mask values are first multiplied into their fold tensors."""
    state = {k: v.detach().clone() for k, v in model.state_dict().items() if not k.endswith(".mask")}
    if fold_masks:
        for name, mask in mask_values(model).items():
            for s in unit_map.by_name[name].slices:
                if s.fold:
                    shape = [1] * state[s.name].dim()
                    shape[s.dim] = -1
                    state[s.name] = state[s.name] * s.factor(mask).view(shape).to(state[s.name].dtype)
    for tensor, per_dim in unit_map.dims.items():
        for dim, (layout, owners) in per_dim.items():
            kept = {digit: plan.kept[group] for digit, group in owners.items()}
            state[tensor] = state[tensor].index_select(dim, dim_indices(layout, kept)).contiguous()
    return state


def slice_model(model: TrackerNet, plan: PruningPlan, fold_masks: bool = True) -> TrackerNet:
    """
    Build a physically smaller TrackerNet keeping the plan's units; all-ones masks and a full plan change nothing.

    Masks (if attached) are folded into consumer columns (or q/k/v rows for head dimensions), so the child
    computes what the masked parent computed whenever the dropped units' masks are zero.

    :raises ConfigError: the plan does not fit the model's gates.
    """
    unit_map = build_unit_map(model)
    plan.check(unit_map)
    child = build_model(sliced_architecture(model.architecture, unit_map, plan.counts))
    child.load_state_dict(sliced_state(model, unit_map, plan, fold_masks))
    return child.train(model.training)


def replay_plan(parent: TrackerNet, plan: PruningPlan) -> TrackerNet:
    """Apply a saved plan to the (unmasked) parent: the same architecture and the parent's sliced weights."""
    return slice_model(parent, plan, fold_masks=False)
