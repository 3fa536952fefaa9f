# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Half-precision weight storage: half the file, float32 results close to the float32 file, casts folded."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture


@pytest.mark.parametrize("variant", ["cnn_tiny", "vit_tiny", "hybrid_tiny"])
def test_half_storage_is_smaller_and_close(variant: str, tmp_path: Path) -> None:
    torch.manual_seed(3)
    model = build_model(architecture(variant)).eval()
    export_onnx(model, tmp_path / "full", variant, weight_storage="float32")
    export_onnx(model, tmp_path / "half", variant, weight_storage="float16")
    full, half = tmp_path / "full" / f"{variant}.onnx", tmp_path / "half" / f"{variant}.onnx"

    def weight_bytes(path: Path) -> int:
        return sum(len(t.raw_data) for t in onnx.load(str(path)).graph.initializer)

    assert weight_bytes(half) < 0.55 * weight_bytes(full)
    assert full.stat().st_size - half.stat().st_size > 0.4 * weight_bytes(full)
    assert ModelCard.load(half.with_suffix(".json")).weight_storage == "float16"
    assert ModelCard.load(full.with_suffix(".json")).weight_storage == "float32"
    rng = np.random.default_rng(0)
    size_t, size_s = model.architecture["template_size"], model.architecture["search_size"]
    template = rng.random((1, 3, size_t, size_t), np.float32)
    search = rng.random((1, 3, size_s, size_s), np.float32)
    reference = open_backend(full, "onnxruntime").run(template, search)
    on_ort = open_backend(half, "onnxruntime").run(template, search)
    on_torch = open_backend(half, "torch").run(template, search)
    for ref, a, b in zip(reference, on_ort, on_torch):
        np.testing.assert_allclose(a, ref, atol=2e-2, rtol=2e-2)  # rounding of the weights only
        np.testing.assert_allclose(a, b, atol=2e-4, rtol=1e-3)  # both backends widen the same values


def test_onnxruntime_folds_the_widening_casts(tmp_path: Path) -> None:
    """After session optimisation no widen_* Cast is left: storage costs nothing per frame."""
    model = build_model(architecture("cnn_tiny")).eval()
    export_onnx(model, tmp_path, "m", weight_storage="float16")
    assert sum(n.name.startswith("widen_") for n in onnx.load(str(tmp_path / "m.onnx")).graph.node) > 10
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "optimized.onnx")
    ort.InferenceSession(str(tmp_path / "m.onnx"), options, providers=["CPUExecutionProvider"])
    optimized = onnx.load(str(tmp_path / "optimized.onnx"))
    assert not [n.name for n in optimized.graph.node if n.name.startswith("widen_")]


def test_half_weights_converts_an_exported_model_in_place(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The command rewrites file and card (new SHA-256, float16); the tracker API still loads it."""
    from light_tracker_ros.cli.half_weights import main
    from light_tracker_ros.runtime import ModelSpec, create_tracker

    export_onnx(build_model(architecture("cnn_tiny")).eval(), tmp_path, "m", weight_storage="float32")
    old_sha = ModelCard.load(tmp_path / "m.json").onnx_sha256
    assert main([str(tmp_path / "m.onnx")]) == 0
    card = ModelCard.load(tmp_path / "m.json")
    assert card.weight_storage == "float16" and card.onnx_sha256 != old_sha
    create_tracker(ModelSpec(str(tmp_path / "m.onnx")))
    assert main([str(tmp_path / "m.onnx")]) == 0
    assert "already float16" in capsys.readouterr().out
    (tmp_path / "m.onnx").write_bytes(b"corrupt")
    assert main([str(tmp_path / "m.onnx")]) == 2
    assert "SHA-256" in capsys.readouterr().err
