# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Distilled fine-tuning (the Trainer with the distillation objective): the loss falls, the child nears its parent."""
from __future__ import annotations

import random

import pytest
import torch
from prune_fixtures import inputs, tiny_model

from light_tracker_ros.core.config import from_mapping
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.data.pairs import synthetic_pairs
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.distill import DistillWeights, distillation_loss
from light_tracker_ros.pruning.finetune import finetune_trainer
from light_tracker_ros.pruning.plan import make_plan
from light_tracker_ros.pruning.slicing import replay_plan
from light_tracker_ros.pruning.units import build_unit_map
from light_tracker_ros.training.batches import StepBatches


class FixedBatch(StepBatches):
    """The same batch at every step, so the loss must fall."""

    def batch(self, step: int, stream: int = 0):
        return super().batch(0, stream)


def test_distillation_is_zero_for_identical_outputs() -> None:
    parent = tiny_model("cnn_tiny")
    with torch.no_grad():
        out = parent(*inputs(parent))
    loss, parts = distillation_loss(out, out, DistillWeights(score=0.0, box=1.0))
    assert loss.item() == 0.0 and parts["kd_box"] == 0.0


def test_distillation_loss_decreases_in_a_few_steps(variant: str) -> None:
    parent = tiny_model(variant)
    unit_map = build_unit_map(parent)
    rng = random.Random(0)
    child = replay_plan(parent, make_plan(unit_map, {g.name: sorted(rng.sample(range(g.units), max(1, g.units // 2)))
                                                     for g in unit_map.groups}, 0.5, "global"))
    arch = parent.architecture
    pairs = synthetic_pairs(4, arch["template_size"], arch["search_size"])
    features = 0.0 if parent.family == "cnn" else 0.1  # the CNN's correlation width is pruned
    cfg = from_mapping(PruneConfig, {"family": parent.family, "finetune_steps": 8, "finetune_lr": 3e-3,
                                     "distill_features": features, "grad_clip": 0.0})
    trainer = finetune_trainer(child, parent, FixedBatch(pairs, range(4), 4).batch, cfg, progress=False)
    history = trainer.fit()["history"]
    assert not child.training  # left in eval mode for export
    assert {"kd_score", "kd_box", "focal"} <= set(history[0])
    assert ("kd_features" in history[0]) == (features > 0)
    assert history[-1]["total"] < 0.9 * history[0]["total"]
    kd = [h["kd_score"] + h["kd_box"] for h in history]
    assert kd[-1] < kd[0]


def test_feature_distillation_across_widths_is_a_clear_error() -> None:
    """A CNN child with a thinner correlation map cannot be feature-distilled: the error says what to set."""
    parent = tiny_model("cnn_tiny")
    unit_map = build_unit_map(parent)
    kept = {g.name: list(range(g.units)) for g in unit_map.groups}
    kept["fusion_gate"] = kept["fusion_gate"][:4]
    child = replay_plan(parent, make_plan(unit_map, kept, 0.9, "global"))
    template, search = inputs(parent)
    s_feat, t_feat = child.forward_features(template, search), parent.forward_features(template, search)
    with pytest.raises(ConfigError, match="distill_features 0"):
        distillation_loss(child.head(s_feat), parent.head(t_feat), DistillWeights(features=1.0), s_feat, t_feat)
