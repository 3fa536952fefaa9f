# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""list_models: one row per model read from its card, and the folder's total size (models/ must stay small)."""
from __future__ import annotations

from pathlib import Path

from light_tracker_ros.cli.list_models import rows
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture


def test_rows_and_folder_total(tmp_path: Path) -> None:
    for variant in ("cnn_tiny", "vit_tiny"):
        export_onnx(build_model(architecture(variant)), tmp_path, variant)
    lines = rows(tmp_path)
    assert [line.split("|")[1].strip() for line in lines[2:4]] == ["`cnn_tiny`", "`vit_tiny`"]
    total = sum(p.stat().st_size for p in tmp_path.iterdir()) / 1e6
    assert lines[-1].startswith("| all 4 files of the folder") and f"| {total:.1f} |" in lines[-1]
