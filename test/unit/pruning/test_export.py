# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A pruned child exported to ONNX loads through the backends and runs in the tracker; its card says what was done."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from prune_fixtures import tiny_model

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.core.types import TrackState
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.pruning.budget import budget_plan, magnitude_importance
from light_tracker_ros.pruning.parents import load_parent
from light_tracker_ros.pruning.plan import PruningPlan
from light_tracker_ros.pruning.slicing import replay_plan
from light_tracker_ros.pruning.units import build_unit_map, prunable_param_count


@pytest.mark.parametrize("backend", ["onnxruntime", "torch"])
def test_pruned_model_runs_in_the_tracker_with_a_full_card(tmp_path: Path, backend: str) -> None:
    parent = tiny_model("hybrid_tiny")
    unit_map = build_unit_map(parent)
    plan = budget_plan(unit_map, magnitude_importance(parent, unit_map), 0.25, "per_layer", parent="hybrid_tiny")
    child = replay_plan(parent, plan)
    export_onnx(child, tmp_path, "hybrid_tiny_p25", parent="hybrid_tiny", budget=0.25, kept_units=plan.counts,
                pruning_plan=plan.to_dict(), prunable_params=prunable_param_count(child))
    tracker = Tracker(open_backend(tmp_path / "hybrid_tiny_p25.onnx", backend))
    card = tracker.card
    assert (card.parent, card.budget) == ("hybrid_tiny", 0.25)
    assert card.kept_units == plan.counts and min(card.kept_units.values()) >= 1
    assert card.params == plan.kept_params + plan.rest_params < unit_map.prunable_params + unit_map.rest_params
    assert card.prunable_params == plan.kept_params
    assert PruningPlan.from_dict(card.pruning_plan) == plan
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    tracker.init(frame, (60, 40, 30, 24))
    result = tracker.update(frame)
    assert np.isfinite(result.box.as_tuple()).all() and 0.0 <= result.score <= 1.0
    assert result.state in (TrackState.TRACKING, TrackState.LOST)


def test_onnx_parent_is_rebuilt_with_its_weights(tmp_path: Path) -> None:
    parent = tiny_model("vit_tiny", seed=random.Random(1).randint(0, 99))
    export_onnx(parent, tmp_path, "vit_parent", weight_storage="float32",  # bit-exact weights to compare
                prunable_params=prunable_param_count(parent))
    again, name = load_parent(str(tmp_path / "vit_parent.onnx"))
    assert name == "vit_parent"
    ref, got = parent.state_dict(), again.state_dict()
    assert all(np.array_equal(ref[k].numpy(), got[k].numpy()) for k in ref if not k.endswith("num_batches_tracked"))
    assert ModelCard.load(tmp_path / "vit_parent.json").prunable_params == unit_count(parent)


def unit_count(model) -> int:
    return build_unit_map(model).prunable_params
