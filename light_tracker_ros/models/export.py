# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Export a TrackerNet to ONNX with its model card; count parameters and multiply-accumulates."""
from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from light_tracker_ros.core.model_card import INPUT_NAMES, ModelCard, OUTPUT_NAMES, file_sha256
from light_tracker_ros.models.layers import Attention
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.models.weight_storage import halve


def count_params(model: nn.Module) -> int:
    """Return the number of learnable parameters (masks excluded)."""
    return sum(p.numel() for name, p in model.named_parameters() if not name.endswith(".mask"))


def count_macs(model: TrackerNet) -> int:
    """Multiply-accumulates of one forward pass at batch 1 (convolutions, linears and attention products)."""
    total = 0

    def conv_hook(mod: nn.Conv2d, _inp: Any, out: torch.Tensor) -> None:
        nonlocal total
        total += out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] * mod.kernel_size[1]

    def linear_hook(mod: nn.Linear, _inp: Any, out: torch.Tensor) -> None:
        nonlocal total
        total += out.numel() * mod.in_features

    def attn_hook(mod: Attention, inp: Any, _out: torch.Tensor) -> None:
        nonlocal total
        n = inp[0].shape[1]
        total += 2 * mod.heads * n * n * mod.head_dim

    hooks = []
    for mod in model.modules():
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv_hook))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(linear_hook))
        elif isinstance(mod, Attention):
            hooks.append(mod.register_forward_hook(attn_hook))
    arch = model.architecture
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, arch["template_size"], arch["template_size"]),
              torch.zeros(1, 3, arch["search_size"], arch["search_size"]))
    model.train(was_training)
    for hook in hooks:
        hook.remove()
    return int(total)


def export_onnx(model: TrackerNet, out_dir: str | Path, name: str, weight_storage: str = "float32",
                **card_fields: Any) -> ModelCard:
    """
    Write ``out_dir/name.onnx`` and ``out_dir/name.json``; return the card.

    ``weight_storage='float16'`` halves the file (see models/weight_storage.py; arithmetic stays float32).
    ``card_fields`` fill the rest of the card (parent, budget, prunable_params, training, metrics, ...).
    """
    if weight_storage not in ("float32", "float16"):
        raise ValueError(f"weight_storage must be 'float32' or 'float16', got {weight_storage!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.onnx"
    arch = model.architecture
    model = model.eval()
    template = torch.zeros(1, 3, arch["template_size"], arch["template_size"])
    search = torch.zeros(1, 3, arch["search_size"], arch["search_size"])
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        # optimize=False keeps every initializer under its torch name, so the torch backend can reload it
        torch.onnx.export(model, (template, search), str(path), input_names=list(INPUT_NAMES),
                          output_names=list(OUTPUT_NAMES), dynamo=True, optimize=False, opset_version=18)
    # fold the external-data sidecar, if any, back into one file (with half-precision storage if asked)
    import onnx
    proto = onnx.load(str(path))
    if weight_storage == "float16":
        halve(proto)
    onnx.save(proto, str(path))
    sidecar = path.with_suffix(".onnx.data")
    if sidecar.exists():
        sidecar.unlink()
    fields: dict[str, Any] = {
        "name": name, "family": model.family, "variant": arch.get("variant", "custom"), "architecture": arch,
        "template_size": arch["template_size"], "search_size": arch["search_size"], "params": count_params(model),
        "macs": count_macs(model), "onnx_sha256": file_sha256(path),
        "weight_storage": weight_storage}
    fields.update(card_fields)
    card = ModelCard(**fields)
    card.save(path.with_suffix(".json"))
    return card
