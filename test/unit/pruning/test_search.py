# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Mask search (the Trainer with the mask objective): the L1 penalty shrinks the masks; checkpoints are written."""
from __future__ import annotations

import torch
from prune_fixtures import tiny_model

from light_tracker_ros.core.config import from_mapping
from light_tracker_ros.data.pairs import synthetic_pairs
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.masks import mask_l1, mask_values
from light_tracker_ros.pruning.search import search_trainer
from light_tracker_ros.training.batches import StepBatches
from light_tracker_ros.training.checkpoint import read_checkpoint
from light_tracker_ros.training.engine import RunFiles


def test_mask_search_lowers_the_mask_l1_norm(variant: str, tmp_path) -> None:
    model = tiny_model(variant)
    arch = model.architecture
    pairs = synthetic_pairs(8, arch["template_size"], arch["search_size"])
    cfg = from_mapping(PruneConfig, {"family": model.family, "search_steps": 6, "search_mask_lr": 0.05,
                                     "penalty_conv": 0.1, "penalty_trunk": 0.1, "penalty_heads": 0.1,
                                     "penalty_head_dims": 0.1, "penalty_mlp": 0.1, "checkpoint_every": 3})
    weights_before = {k: v.clone() for k, v in model.state_dict().items()}
    trainer = search_trainer(model, StepBatches(pairs, range(8), 4).batch, cfg, RunFiles.stage(tmp_path, "search"),
                             progress=False)
    history = trainer.fit()["history"]
    total_units = sum(v.numel() for v in mask_values(model).values())
    assert history[-1]["mask_l1"] < history[0]["mask_l1"] < total_units
    assert mask_l1(model) < 0.9 * total_units
    assert read_checkpoint(tmp_path / "search.pt")["state"]["step"] == 6
    assert (tmp_path / "search.curves.png").stat().st_size > 1000
    # frozen parent (search_weight_lr = 0): weights and batch-norm statistics untouched
    state = model.state_dict()
    assert all(torch.equal(state[k], v) for k, v in weights_before.items())
