# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Pruning an imported parent (NanoTrack, VitTrack) on random tiny weights.

Pairs are fed as the parent's card says (raw 0-255 BGR for NanoTrack, ImageNet statistics on BGR for VitTrack),
and the child's card inherits the parent's crop, normalisation, decoding and provenance.
"""
from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from prune_fixtures import tiny_model

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.data.pairs import IMAGENET_RGB, Normalisation, PairDataset, synthetic_pairs
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.pruning.budget import budget_plan, magnitude_importance
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.distill import DistillObjective, DistillWeights
from light_tracker_ros.pruning.finetune import finetune_trainer
from light_tracker_ros.pruning.parents import load_parent, parent_card
from light_tracker_ros.pruning.pipeline import PruneJob, run
from light_tracker_ros.pruning.units import build_unit_map
from light_tracker_ros.training.batches import split_indices, stack
from light_tracker_ros.training.distributed import DistInfo
from light_tracker_ros.training.engine import Forward
from light_tracker_ros.training.validation import validate

SOURCE = {"repository": "example/repo", "path": "weights.onnx", "commit": "0" * 40, "sha256": "1" * 64,
          "licence": "Apache-2.0"}
#: the card fields light-tracker import writes (models/importer.py), for the two architectures
CARDS = {
    "nanotrack_tiny": {"template_factor": 1.0, "search_factor": 127 / 63, "mean": (0.0, 0.0, 0.0),
                       "std": (1 / 255,) * 3, "channel_order": "bgr",
                       "decoding": {"style": "siamese", "context_amount": 0.5, "window": "hanning",
                                    "window_influence": 0.455, "penalty_k": 0.138, "size_lr": 0.348},
                       "licence": "Apache-2.0", "training": {"imported": True, "sources": [SOURCE]}},
    "vittrack_tiny": {"template_factor": 2.0, "search_factor": 4.0, "mean": (0.485, 0.456, 0.406),
                      "std": (0.229, 0.224, 0.225), "channel_order": "bgr",
                      "decoding": {"style": "center", "window_influence": 1.0, "size_lr": 1.0},
                      "licence": "Apache-2.0", "training": {"imported": True, "sources": [SOURCE]}},
}
STEPS = PruneConfig(family="cnn", batch_size=4, val_size=4, search_steps=2, finetune_steps=2, latency_runs=0,
                    checkpoint_every=1, distill_track=0.1)


def imported_parent(variant: str, out: Path) -> Path:
    """Export a random tiny imported architecture with an importer-like card; return its .onnx path."""
    model = tiny_model(variant, seed=3)
    if variant.startswith("nanotrack"):
        with torch.no_grad():  # boxes of a sensible size out of exp()
            model.head.bbox_pred.weight.mul_(0.01)
            model.head.bbox_pred.bias.fill_(math.log(20.0))
    export_onnx(model, out, variant, **CARDS[variant])
    return out / f"{variant}.onnx"


def test_pairs_are_normalised_as_the_card_says() -> None:
    pairs = synthetic_pairs(2, 16, 32, seed=0)
    raw_bgr = PairDataset(pairs, norm=Normalisation((0.0, 0.0, 0.0), (1 / 255,) * 3, "bgr")).item(0, None)
    np.testing.assert_allclose(raw_bgr[0].numpy(), pairs.templates[0].transpose(2, 0, 1), atol=1e-4)
    imagenet_bgr = PairDataset(pairs, norm=Normalisation(channel_order="bgr")).item(1, None)[1].numpy()
    imagenet_rgb = PairDataset(pairs).item(1, None)[1].numpy()  # the default: our families' input
    expected = (pairs.searches[1][..., ::-1] / 255.0 - IMAGENET_RGB.mean) / IMAGENET_RGB.std
    np.testing.assert_allclose(imagenet_rgb, expected.transpose(2, 0, 1), atol=1e-5)
    assert not np.allclose(imagenet_bgr, imagenet_rgb)
    card = SimpleNamespace(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], channel_order="bgr")
    assert Normalisation.of_card(card) == Normalisation((0.485, 0.456, 0.406), (0.229, 0.224, 0.225), "bgr")


@pytest.mark.parametrize("variant", ["nanotrack_tiny", "vittrack_tiny"])
def test_prune_an_imported_parent_end_to_end(variant: str, tmp_path: Path) -> None:
    parent = imported_parent(variant, tmp_path / "parent")
    family = "cnn" if variant.startswith("nanotrack") else "transformer"
    cfg = PruneConfig(**{**STEPS.__dict__, "family": family})
    job = PruneJob(str(parent), (0.5,), cfg, tmp_path / "children", tmp_path / "work", synthetic=16)
    [child_path] = run(job, DistInfo())
    child = ModelCard.load(child_path.with_suffix(".json"))
    wanted = CARDS[variant]
    assert child.parent == variant and child.budget == 0.5
    assert (child.mean, child.std, child.channel_order) == (wanted["mean"], wanted["std"], "bgr")
    assert (child.template_factor, child.search_factor) == (wanted["template_factor"], wanted["search_factor"])
    assert child.decoding == wanted["decoding"] and child.licence == "Apache-2.0"
    assert child.training["parent_sources"] == [SOURCE]
    assert child.params < ModelCard.load(parent.with_suffix(".json")).params
    # the parent's seen-pairs loss was measured on pairs normalised as its card says, not as our families'
    teacher, _ = load_parent(str(parent))
    arch = teacher.architecture
    pairs = synthetic_pairs(16, arch["template_size"], arch["search_size"], seed=0)
    val = split_indices(16, cfg.val_size, cfg.seed)[1]
    ours = validate(teacher, pairs, val, norm=Normalisation.of_card(child))["val_loss"]
    imagenet = validate(teacher, pairs, val)["val_loss"]
    assert child.metrics["parent_seen_pairs_loss"] == pytest.approx(ours, rel=1e-6)
    assert child.metrics["parent_seen_pairs_loss"] != pytest.approx(imagenet, rel=1e-6)
    backend = open_backend(child_path, "onnxruntime", num_threads=1)
    t, s = arch["template_size"], arch["search_size"]
    outputs = backend.run(np.zeros((1, 3, t, t), np.float32), np.zeros((1, 3, s, s), np.float32))
    assert all(np.isfinite(o).all() for o in outputs)


def test_an_imported_architecture_without_its_card_is_refused() -> None:
    with pytest.raises(ConfigError, match="card"):
        parent_card("variant:nanotrack_tiny")
    assert parent_card("variant:cnn_tiny") is None


def test_tracking_weight_and_time_budget_of_fine_tuning() -> None:
    teacher = tiny_model("nanotrack_tiny", seed=1)
    child = tiny_model("nanotrack_tiny", seed=2)
    pairs = synthetic_pairs(4, 63, 127, seed=0)
    batch = stack([PairDataset(pairs).item(i, None) for i in range(4)])
    trainer = finetune_trainer(child, teacher, lambda step: batch, PruneConfig(finetune_minutes=7.0))
    assert trainer.settings.max_minutes == 7.0
    assert finetune_trainer(child, teacher, lambda step: batch, PruneConfig()).settings.max_minutes == math.inf
    full = DistillObjective(teacher, DistillWeights())
    kd_only = DistillObjective(teacher, DistillWeights(track=0.0))
    net = Forward(kd_only.module(child))
    total_full, stats = full(net, batch)
    total_kd, stats_kd = kd_only(net, batch)
    assert total_kd.item() == pytest.approx(stats_kd["kd_score"] + stats_kd["kd_box"], rel=1e-5)
    assert total_full.item() > total_kd.item()


@pytest.mark.parametrize("budget", [0.5, 0.25, 0.1])
def test_per_layer_widths_in_blocks_of_eight(budget: float) -> None:
    model = build_model(architecture("nanotrack_v3"))
    unit_map = build_unit_map(model)
    importance = magnitude_importance(model, unit_map)
    plan = budget_plan(unit_map, importance, budget, "per_layer", multiple=8)
    sizes = {g.name: g.units for g in unit_map.groups}
    assert all(n % 8 == 0 or n == sizes[name] for name, n in plan.counts.items())
    assert budget - 0.02 <= plan.kept_fraction <= budget
    assert any(n % 8 for n in budget_plan(unit_map, importance, budget, "per_layer").counts.values())
    with pytest.raises(ConfigError, match="per_layer"):
        budget_plan(unit_map, importance, budget, "global", multiple=8)
