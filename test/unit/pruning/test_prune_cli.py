# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The prune command: two gloo processes under torch.distributed.run, resume, and config errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from prune_fixtures import tiny_model

from light_tracker_ros.cli.prune import main
from light_tracker_ros.core.config import load_yaml
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.training.checkpoint import read_checkpoint

ROOT = Path(__file__).resolve().parents[3]
TINY_STEPS = ["--set", "search_steps=2", "--set", "finetune_steps=2", "--set", "batch_size=2", "--set",
              "val_size=4", "--set", "latency_runs=2", "--set", "checkpoint_every=1"]


def test_two_process_gloo_run_writes_children(tmp_path: Path) -> None:
    parent = tiny_model("cnn_tiny")
    torch.save({"architecture": parent.architecture, "model": parent.state_dict()}, tmp_path / "cnn_parent.pt")
    out, work = tmp_path / "models", tmp_path / "work"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "light_tracker_ros.cli.prune", "--parent", str(tmp_path / "cnn_parent.pt"), "--budget", "0.5",
           "--budget", "0.25", "--config", str(ROOT / "config/prune/cnn.yaml"), "--synthetic", "16",
           "--out", str(out), "--work-dir", str(work)] + TINY_STEPS
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name, budget in (("cnn_parent_p50", 0.5), ("cnn_parent_p25", 0.25)):
        card = json.loads((out / f"{name}.json").read_text())
        assert card["parent"] == "cnn_parent" and card["budget"] == budget
        assert card["training"]["world_size"] == 2
        assert card["params"] < 0.9 * sum(v.numel() for v in parent.parameters())
        assert "seen_pairs_iou" in card["metrics"] and not any(k.startswith("latency") for k in card["metrics"])
        assert (work / "cnn_parent" / f"{name}.plan.json").exists()
    assert read_checkpoint(work / "cnn_parent" / "search.pt")["state"]["step"] == 2


def test_resume_skips_finished_children(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    args = ["--parent", "variant:vit_tiny", "--budget", "0.5", "--config", str(ROOT / "config/prune/transformer.yaml"),
            "--synthetic", "12", "--out", str(tmp_path / "m"), "--work-dir", str(tmp_path / "w")] + TINY_STEPS
    assert main(args) == 0
    stamp = (tmp_path / "m" / "vit_tiny_p50.onnx").stat().st_mtime_ns
    caplog.set_level("INFO")
    assert main(args + ["--resume"]) == 0
    assert (tmp_path / "m" / "vit_tiny_p50.onnx").stat().st_mtime_ns == stamp
    assert "nothing to do" in caplog.text
    # an unfinished child resumes its fine-tuning from the checkpoint instead of starting over
    (tmp_path / "m" / "vit_tiny_p50.json").unlink()
    caplog.clear()
    assert main(args + ["--resume", "--set", "finetune_steps=4"]) == 0
    assert "resuming fine-tuning at step 2" in caplog.text
    assert read_checkpoint(tmp_path / "w" / "vit_tiny" / "vit_tiny_p50.pt")["state"]["step"] == 4


def test_wrong_family_config_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["--parent", "variant:cnn_tiny", "--budget", "0.5", "--config", str(ROOT / "config/prune/hybrid.yaml"),
                 "--synthetic", "8", "--out", str(tmp_path)])
    assert code == 2
    assert "config/prune/cnn.yaml" in capsys.readouterr().err


def test_config_rejects_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("family: cnn\nsearch_stepz: 3\n")
    with pytest.raises(ConfigError, match="search_stepz"):
        load_yaml(PruneConfig, path)


@pytest.mark.parametrize("family", ["cnn", "transformer", "hybrid"])
def test_shipped_configs_load(family: str) -> None:
    assert load_yaml(PruneConfig, ROOT / f"config/prune/{family}.yaml").family == family
