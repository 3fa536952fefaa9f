# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training: a few steps lower the loss, checkpoints resume, and a two-process gloo DDP run works."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
import yaml

from light_tracker_ros.data.pairs import synthetic_pairs
from light_tracker_ros.training.config import TrainConfig
from light_tracker_ros.training.run import train

ROOT = Path(__file__).resolve().parents[3]


def _config(pairs: Path, **overrides) -> TrainConfig:
    values = {"name": "t", "variant": "cnn_tiny", "pairs": [str(pairs)], "batch_size": 16, "steps": 60,
              "warmup_steps": 5, "lr": 2e-3, "augment": False, "checkpoint_every": 20, "precision": "fp32"}
    values.update(overrides)
    return TrainConfig(**values)


def test_a_few_steps_lower_the_loss(tmp_path) -> None:
    """Mean loss over the last 20 logged steps is well below the first logged ones."""
    torch.manual_seed(0)
    synthetic_pairs(512, 32, 64, seed=0).save(tmp_path / "pairs")
    state = train(_config(tmp_path / "pairs", steps=120), tmp_path / "run", progress=False)
    losses = [h["total"] for h in state["history"] if "total" in h]
    assert state["step"] == 120
    assert np.mean(losses[-2:]) < 0.6 * losses[0]


def test_resume_continues_from_the_checkpoint(tmp_path) -> None:
    """A second run with more steps starts at the saved step and writes curves."""
    synthetic_pairs(128, 32, 64, seed=1).save(tmp_path / "pairs")
    first = train(_config(tmp_path / "pairs", steps=20), tmp_path / "run", progress=False)
    assert first["step"] == 20 and (tmp_path / "run" / "last.pt").exists()
    second = train(_config(tmp_path / "pairs", steps=30), tmp_path / "run", progress=False)
    assert second["step"] == 30
    assert [h["step"] for h in second["history"] if "total" in h][0] == 1  # history kept across the resume
    assert (tmp_path / "run" / "curves.png").stat().st_size > 1000


def test_two_process_gloo_ddp_run(tmp_path) -> None:
    """``torchrun --nproc_per_node 2 train_tracker`` trains with DistributedDataParallel over gloo."""
    synthetic_pairs(128, 32, 64, seed=2).save(tmp_path / "pairs")
    config = {"name": "ddp", "variant": "cnn_tiny", "pairs": [str(tmp_path / "pairs")], "batch_size": 8,
              "steps": 6, "warmup_steps": 1, "checkpoint_every": 3, "precision": "fp32"}
    (tmp_path / "ddp.yaml").write_text(yaml.safe_dump(config))
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517",
         "-m", "light_tracker_ros.cli.train", "--config", str(tmp_path / "ddp.yaml"), "--run-dir",
         str(tmp_path / "run")], env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    ckpt = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert ckpt["state"]["step"] == 6
    assert ckpt["state"]["world_size"] == 2
    assert "ddp: 6 steps" in result.stdout
