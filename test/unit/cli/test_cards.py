# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Cards written by export, prune and benchmark: portable provenance from the run's own config, two IoU names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from light_tracker_ros.cli.list_models import rows
from light_tracker_ros.cli.main import main
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.data.pairs import synthetic_pairs
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture

ROOT = Path(__file__).resolve().parents[3]
TINY_PRUNE = ["--set", "search_steps=2", "--set", "finetune_steps=2", "--set", "batch_size=2", "--set",
              "val_size=4", "--set", "checkpoint_every=1", "--set", "latency_runs=0"]


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``$LIGHT_TRACKER_DATA`` at a data cache of this test's own."""
    root = tmp_path / "cache"
    monkeypatch.setenv("LIGHT_TRACKER_DATA", str(root))
    return root


def write_checkpoint(path: Path, lr: float, best_iou: float, root: Path) -> None:
    """Write a checkpoint as the trainer does: architecture, weights and the run's state with its config."""
    torch.manual_seed(0)
    model = build_model(architecture("cnn_tiny"))
    config = {"name": "p", "variant": "cnn_tiny", "pairs": [str(root / "pairs" / "a"), "pairs/b"],
              "val_pairs": [str(root / "pairs" / "heldout")], "lr": lr, "seed": 3}
    state = {"step": 40, "minutes": 1.25, "best_val_iou": best_iou, "config": config, "world_size": 1,
             "data_history": [{"from_step": 20, "pairs": [str(root / "pairs" / "a")]}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"architecture": model.architecture, "model": model.state_dict(), "state": state}, path)


def test_export_card_takes_provenance_from_the_checkpoint(tmp_path: Path, data_root: Path) -> None:
    """Paths relative to $LIGHT_TRACKER_DATA, the run's config and held-out IoU; no fixed recipe, no absolute path."""
    cards = {}
    for name, lr, iou in (("one", 1e-3, 0.5), ("two", 2e-4, 0.25)):
        ckpt = data_root / "runs" / name / "best.pt"
        write_checkpoint(ckpt, lr, iou, data_root)
        assert main(["export", "--checkpoint", str(ckpt), "--name", name, "--out", str(tmp_path / "models"),
                     "--curves-dir", str(tmp_path / "curves")]) == 0
        text = (tmp_path / "models" / f"{name}.json").read_text()
        assert str(tmp_path) not in text and str(Path.home()) not in text
        cards[name] = ModelCard.load(tmp_path / "models" / f"{name}.json")
    one, two = cards["one"], cards["two"]
    assert one.training["source"] == "$LIGHT_TRACKER_DATA/runs/one/best.pt"
    assert one.training["data"] == ["$LIGHT_TRACKER_DATA/pairs/a", "pairs/b"]
    assert one.training["data_history"][0]["pairs"] == ["$LIGHT_TRACKER_DATA/pairs/a"]
    assert (one.training["steps"], one.training["minutes"]) == (40, 1.2)
    assert (one.training["config"]["lr"], two.training["config"]["lr"]) == (1e-3, 2e-4)
    assert one.metrics == {"heldout_iou": 0.5, "heldout_iou_pairs": ["$LIGHT_TRACKER_DATA/pairs/heldout"]}
    assert two.metrics["heldout_iou"] == 0.25
    assert not {"pretrained_weights", "recipe"} & set(one.training)
    table = rows(tmp_path / "models")
    assert table[0].endswith("| held-out IoU | seen-pairs IoU |")
    assert table[2].startswith("| `one` |") and table[2].endswith("| 0.500 | - |")


def test_prune_card_names_seen_pairs_iou_and_leaves_latency_out(tmp_path: Path, data_root: Path) -> None:
    """A child's IoU is on pairs of the parent's folders (seen_pairs_iou); its data paths are portable."""
    synthetic_pairs(24, 32, 64, seed=1).save(data_root / "pairs" / "a")
    code = main(["prune", "--parent", "variant:cnn_tiny", "--budget", "0.5", "--config",
                 str(ROOT / "config" / "prune" / "cnn.yaml"), "--data", str(data_root / "pairs" / "a"),
                 "--out", str(tmp_path / "m"), "--work-dir", str(tmp_path / "w")] + TINY_PRUNE)
    assert code == 0
    text = (tmp_path / "m" / "cnn_tiny_p50.json").read_text()
    card = json.loads(text)
    assert card["training"]["data"] == ["$LIGHT_TRACKER_DATA/pairs/a"] and str(tmp_path) not in text
    assert 0.0 <= card["metrics"]["seen_pairs_iou"] <= 1.0 and "parent_seen_pairs_iou" in card["metrics"]
    assert card["metrics"]["seen_pairs"] == 4
    assert not [k for k in card["metrics"] if k.startswith(("val_", "latency", "parent_val_"))]
    row = next(r for r in rows(tmp_path / "m") if r.startswith("| `cnn_tiny_p50` |"))
    assert row.endswith(f"| - | {card['metrics']['seen_pairs_iou']:.3f} |")


def test_benchmark_writes_latency_to_cards_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Without --write-cards the cards carry no latency; with it, the latency and how it was measured."""
    folder = tmp_path / "m"
    args = ["benchmark", "--from-variants", "cnn_tiny", "--budgets", "0.5", "--runs", "2", "--models", str(folder)]
    assert main(args) == 0
    assert not any("latency" in k for p in folder.glob("*.json") for k in ModelCard.load(p).metrics)
    assert main(args + ["--write-cards", "--max-load", "1000"]) == 0
    for name in ("cnn_tiny", "cnn_tiny_p50"):
        metrics = ModelCard.load(folder / f"{name}.json").metrics
        assert metrics["latency_ms_1thread_onnxruntime"] > 0
        assert metrics["latency_measured"]["runs"] == 2 and metrics["latency_measured"]["threads"] == 1
    capsys.readouterr()
    before = (folder / "cnn_tiny.json").read_text()
    assert main(args + ["--write-cards", "--max-load", "-1"]) == 2
    assert "load average" in capsys.readouterr().err
    assert (folder / "cnn_tiny.json").read_text() == before
