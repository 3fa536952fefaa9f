# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""benchmark_pruned: counts ONNX parameters like torch does and prints the child against its prediction."""
from __future__ import annotations

from pathlib import Path

import pytest
from prune_fixtures import tiny_model

from light_tracker_ros.cli.benchmark_pruned import main, onnx_param_count
from light_tracker_ros.models.export import count_params, export_onnx


def test_onnx_parameter_count_matches_torch(tmp_path: Path) -> None:
    model = tiny_model("vit_tiny")
    export_onnx(model, tmp_path, "m")
    assert onnx_param_count(tmp_path / "m.onnx") == count_params(model)


def test_table_shows_child_size_against_budget(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--from-variants", "cnn_tiny", "--budgets", "0.5", "--runs", "2", "--models", str(tmp_path)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("cnn_tiny_p50"))
    cells = row.split()
    count, predicted, ratio = int(cells[2]), float(cells[3]), float(cells[4])
    assert abs(count / predicted - 1) < 0.05 and abs(ratio - count / predicted) < 1e-3
    assert cells[-1].endswith("x")
