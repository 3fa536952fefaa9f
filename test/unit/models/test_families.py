# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The three families over the variant registry: shapes, finite outputs, torch vs ONNX Runtime parity."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from light_tracker_ros.backends import open_backend
from light_tracker_ros.models.export import count_params, export_onnx
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import VARIANTS, architecture
from light_tracker_ros.pruning.units import prunable_param_count

TINY = ["cnn_tiny", "vit_tiny", "hybrid_tiny"]
PARENTS = ["cnn_small", "vit_small", "hybrid_small"]


def _inputs(arch: dict, batch: int = 2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    t, s = arch["template_size"], arch["search_size"]
    return torch.randn(batch, 3, t, t, generator=gen), torch.randn(batch, 3, s, s, generator=gen)


@pytest.mark.parametrize("variant", TINY + PARENTS)
def test_output_shapes_and_ranges(variant: str) -> None:
    """Score (B,1,H,W) logits, size and offset (B,2,H,W) in (0, 1), all finite, H = search / stride."""
    torch.manual_seed(0)
    arch = architecture(variant)
    model = build_model(arch).eval()
    with torch.no_grad():
        score, size, offset = model(*_inputs(arch))
    cells = arch["search_size"] // 8
    assert score.shape == (2, 1, cells, cells)
    assert size.shape == offset.shape == (2, 2, cells, cells)
    for out in (score, size, offset):
        assert torch.isfinite(out).all()
    assert ((size > 0) & (size < 1)).all() and ((offset > 0) & (offset < 1)).all()


@pytest.mark.parametrize("variant", TINY)
def test_torch_and_onnxruntime_agree(variant: str, tmp_path) -> None:
    """The exported ONNX model and the torch backend (rebuilt from the card) match the torch model."""
    torch.manual_seed(1)
    model = build_model(architecture(variant)).eval()
    export_onnx(model, tmp_path, variant)
    template, search = (x.numpy() for x in _inputs(model.architecture, batch=1, seed=2))
    with torch.no_grad():
        expected = [o.numpy() for o in model(torch.from_numpy(template), torch.from_numpy(search))]
    for backend in ("onnxruntime", "torch"):
        outputs = open_backend(tmp_path / f"{variant}.onnx", backend).run(template, search)
        for got, want in zip(outputs, expected):
            np.testing.assert_allclose(got, want, atol=2e-4, rtol=1e-3, err_msg=f"{backend} differs")


@pytest.mark.parametrize("variant", PARENTS)
def test_parents_have_about_two_million_prunable_parameters(variant: str) -> None:
    """The CPU parents are big enough that 1% of them is still a network."""
    model = build_model(architecture(variant))
    assert prunable_param_count(model) >= 1.8e6
    assert count_params(model) < 3.0e6  # three parents plus children must fit in models/ (40 MB)


@pytest.mark.parametrize("variant,low,high", [("vit_b16", 80e6, 95e6), ("cnn_r50", 8e6, 12e6),
                                              ("hybrid_r50", 14e6, 20e6)])
def test_published_scale_variants_build(variant: str, low: float, high: float) -> None:
    """The published-size variants (ViT-B/16 at 128/256, ResNet-50) are registered and have their size."""
    assert variant in VARIANTS
    assert low < count_params(build_model(architecture(variant))) < high


def test_unknown_variant_and_family_are_rejected() -> None:
    """Names that do not exist are refused with the list of known ones."""
    with pytest.raises(KeyError, match="registered"):
        architecture("resnet_9000")
    with pytest.raises(ValueError, match="family must be one of"):
        build_model({"family": "rnn"})
