# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Snapshots during training, and select_checkpoint picking the snapshot with the best AUC on video."""
from __future__ import annotations

import json

import numpy as np
import torch

from scenes import moving_target_frames

from light_tracker_ros.cli import select_checkpoint
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.data.pairs import synthetic_pairs
from light_tracker_ros.data.sequences import write_sequence
from light_tracker_ros.training.config import TrainConfig
from light_tracker_ros.training.run import train


def test_snapshots_are_scored_and_the_best_is_exported(tmp_path) -> None:
    """Every snapshot is evaluated; the exported model is the argmax of mean AUC and its card says so."""
    torch.manual_seed(0)
    synthetic_pairs(256, 32, 64, seed=4).save(tmp_path / "pairs")
    cfg = TrainConfig(name="s", variant="cnn_tiny", pairs=[str(tmp_path / "pairs")], batch_size=16, steps=40,
                      warmup_steps=2, lr=2e-3, augment=False, checkpoint_every=20, snapshot_every=20,
                      precision="fp32")
    train(cfg, tmp_path / "run", progress=False)
    snaps = sorted((tmp_path / "run" / "snapshots").glob("*.pt"))
    assert [p.name for p in snaps] == ["step_000020.pt", "step_000040.pt"]
    assert "optimizer" not in torch.load(snaps[0], weights_only=True)

    frames, boxes = moving_target_frames(n=12)
    write_sequence(tmp_path / "video" / "seq", frames, boxes)
    code = select_checkpoint.main(["--run", str(tmp_path / "run"), "--dataset", str(tmp_path / "video"),
                                   "--name", "picked", "--out", str(tmp_path / "models"), "--include", "",
                                   "--json", str(tmp_path / "sel.json"), "--curves-dir", str(tmp_path / "c"),
                                   "--no-progress"])
    assert code == 0
    report = json.loads((tmp_path / "sel.json").read_text())
    aucs = [r["auc"] for r in report["candidates"]]
    assert len(aucs) == 2 and all(0.0 <= a <= 1.0 for a in aucs)
    assert report["chosen"]["auc"] == max(aucs)
    card = ModelCard.load(tmp_path / "models" / "picked.json")
    assert card.training["selection"]["chosen"] == report["chosen"]["checkpoint"].split("/")[-1]
    assert card.training["steps"] == report["chosen"]["step"]
    assert np.isfinite(aucs).all()


def test_a_run_without_snapshots_is_a_clear_error(tmp_path, capsys) -> None:
    """No snapshots and no named checkpoints: exit code 2 with a message naming the folder."""
    (tmp_path / "run").mkdir()
    code = select_checkpoint.main(["--run", str(tmp_path / "run"), "--dataset", str(tmp_path), "--name", "x",
                                   "--out", str(tmp_path / "m"), "--no-progress"])
    assert code == 2
    assert "snapshot_every" in capsys.readouterr().err
