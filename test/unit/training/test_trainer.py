# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
One Trainer serves training, mask search and fine-tuning; an interrupted run resumed gives the whole run.

Batches are a function of the step, the optimiser state is checkpointed, so a run stopped after 5 steps and
resumed from its checkpoint ends with the same weights, step count and losses as a run never stopped (fp32, one
thread).
"""
from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Callable

import pytest
import torch

from light_tracker_ros.core.config import from_mapping
from light_tracker_ros.data.pairs import synthetic_pairs
from light_tracker_ros.models.net import TrackerNet, build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.finetune import finetune_trainer
from light_tracker_ros.pruning.plan import make_plan
from light_tracker_ros.pruning.search import search_trainer
from light_tracker_ros.pruning.slicing import replay_plan
from light_tracker_ros.pruning.units import build_unit_map
from light_tracker_ros.training.batches import StepBatches
from light_tracker_ros.training.checkpoint import read_checkpoint
from light_tracker_ros.training.config import TrainConfig
from light_tracker_ros.training.engine import RunFiles, Trainer, TrainerSettings
from light_tracker_ros.training.run import train

STEPS = 12


def _parent(seed: int = 0) -> TrackerNet:
    torch.manual_seed(seed)
    return build_model(architecture("cnn_tiny"))


def _batches() -> StepBatches:
    return StepBatches(synthetic_pairs(16, 32, 64, seed=3), range(16), 4, seed=5, augment=True)


def _prune_cfg(**values) -> PruneConfig:
    return from_mapping(PruneConfig, {"family": "cnn", "precision": "fp32", "checkpoint_every": 5, **values})


def _search(folder: Path) -> tuple[Trainer, TrackerNet]:
    model = _parent().eval()
    cfg = _prune_cfg(search_steps=STEPS, search_mask_lr=0.05, search_weight_lr=1e-3, penalty_conv=0.01)
    return search_trainer(model, _batches().batch, cfg, RunFiles.stage(folder, "search"), progress=False), model


def _finetune(folder: Path) -> tuple[Trainer, TrackerNet]:
    parent = _parent().eval()
    unit_map = build_unit_map(parent)
    rng = random.Random(0)
    kept = {g.name: sorted(rng.sample(range(g.units), max(1, g.units // 2))) for g in unit_map.groups}
    plan = make_plan(unit_map, kept, 0.5, "global")
    child = replay_plan(parent, plan)
    cfg = _prune_cfg(finetune_steps=STEPS, finetune_lr=3e-3)
    trainer = finetune_trainer(child, parent, _batches().batch, cfg, RunFiles.stage(folder, "child"),
                               extra={"plan": plan.to_dict()}, progress=False)
    return trainer, child


@pytest.mark.parametrize("make", [_search, _finetune], ids=["search", "finetune"])
def test_pruning_stages_resume_to_the_uninterrupted_run(make: Callable, tmp_path: Path) -> None:
    torch.set_num_threads(1)
    whole, whole_model = make(tmp_path / "whole")
    expected = whole.fit()
    part, _ = make(tmp_path / "part")
    assert part.fit(max_steps=5)["step"] == 5
    assert read_checkpoint(part.files.checkpoint)["state"]["step"] == 5
    resumed, model = make(tmp_path / "part")
    assert resumed.resume() and resumed.state["step"] == 5
    state = resumed.fit()
    assert state["step"] == expected["step"] == STEPS
    assert all(math.isfinite(h["total"]) for h in state["history"])
    assert [h["total"] for h in state["history"]] == pytest.approx([h["total"] for h in expected["history"]])
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), whole_model.state_dict().values()))


def test_a_checkpoint_of_another_plan_is_not_resumed(tmp_path: Path) -> None:
    trainer, _ = _finetune(tmp_path)
    trainer.fit(max_steps=5)
    again, _ = _finetune(tmp_path)
    assert not again.resume(accept=lambda ckpt: False)
    assert again.state["step"] == 0


def test_training_a_parent_resumes_to_the_uninterrupted_run(tmp_path: Path) -> None:
    torch.set_num_threads(1)
    synthetic_pairs(64, 32, 64, seed=1).save(tmp_path / "pairs")
    cfg = TrainConfig(name="t", variant="cnn_tiny", pairs=[{"path": str(tmp_path / "pairs"), "weight": 2}],
                      batch_size=8, steps=STEPS, warmup_steps=3, lr=2e-3, checkpoint_every=5, precision="fp32")
    whole_model, part_model = _parent(), _parent()
    expected = train(cfg, tmp_path / "whole", model=whole_model, progress=False)
    assert train(cfg, tmp_path / "part", model=part_model, progress=False, max_steps=5)["step"] == 5
    resumed_model = _parent(seed=1)  # other weights: the checkpoint must replace them
    state = train(cfg, tmp_path / "part", model=resumed_model, progress=False)
    assert state["step"] == expected["step"] == STEPS
    assert all(math.isfinite(h["total"]) for h in state["history"] if "total" in h)
    pairs = zip(resumed_model.state_dict().values(), whole_model.state_dict().values())
    assert all(torch.equal(a, b) for a, b in pairs)


def test_schedule_warms_up_decays_to_its_floor_and_counts_whole_minutes() -> None:
    s = TrainerSettings(steps=100, warmup_steps=10, lr_floor=0.05, max_minutes=60.0)
    assert s.lr_factor(0) == pytest.approx(0.1) and s.lr_factor(9) == pytest.approx(1.0)
    assert s.lr_factor(10) == pytest.approx(1.0) and s.lr_factor(100) == pytest.approx(0.05)
    assert s.lr_factor(10, minutes=30.9) == s.lr_factor(10, minutes=30.0) == pytest.approx(0.525)
    assert s.lr_factor(10, minutes=60.0) == pytest.approx(0.05)  # the time budget ends the schedule too
    constant = TrainerSettings(steps=10, lr_floor=1.0)
    assert {constant.lr_factor(i) for i in range(10)} == {1.0}
    cosine = TrainerSettings(steps=10, lr_floor=0.0)
    assert cosine.lr_factor(5) == pytest.approx(0.5) and cosine.lr_factor(10) == pytest.approx(0.0)
