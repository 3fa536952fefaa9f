# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Loading the model to prune: an exported ``.onnx`` + card, a torch checkpoint, or a registered variant."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from light_tracker_ros.core.errors import ConfigError, ModelFileError
from light_tracker_ros.core.model_card import ModelCard, card_path_for, resolve_model
from light_tracker_ros.models.net import TrackerNet, build_model
from light_tracker_ros.models.onnx_weights import state_dict_from_onnx
from light_tracker_ros.training.checkpoint import read_checkpoint


def load_parent(source: str, models_dir: str | Path | None = None) -> tuple[TrackerNet, str]:
    """
    Load the parent network (eval mode) and return it with its name.

    ``source`` is a ``.pt``/``.pth`` checkpoint ``{"architecture": ..., "model": state_dict}`` (read with
    ``weights_only=True``), a ``.onnx`` path or model name in ``models/`` (rebuilt from its card's architecture and
    filled from the ONNX initializers), or ``variant:NAME`` for a randomly initialised registered variant
    (smoke tests and latency benchmarks only).

    :raises ModelFileError: the file is missing, unreadable, or its weights do not fit its architecture.
    """
    if source.startswith("variant:"):
        from light_tracker_ros.models.registry import architecture
        name = source.split(":", 1)[1]
        try:
            return build_model(architecture(name)).eval(), name
        except KeyError as exc:
            raise ModelFileError(f"parent {source!r}: {exc.args[0]}") from exc
    path = Path(source).expanduser()
    if path.suffix in (".pt", ".pth"):
        return load_checkpoint(path)[0], path.stem
    onnx_path = resolve_model(source, models_dir)
    card = ModelCard.load(card_path_for(onnx_path))
    return _filled(build_model(card.architecture), state_dict_from_onnx(onnx_path), onnx_path), card.name


def parent_card(source: str, models_dir: str | Path | None = None) -> ModelCard | None:
    """
    Return the card of an exported parent (``.onnx`` path or model name), None for a checkpoint or variant.

    :raises ConfigError: an imported architecture (NanoTrack, VitTrack) given without its card: its input
        normalisation and crop are the card's, so it is pruned from its ``.onnx`` and card only.
    """
    path = Path(source).expanduser()
    if source.startswith("variant:") or path.suffix in (".pt", ".pth"):
        arch = (architecture_of_variant(source) if source.startswith("variant:")
                else read_checkpoint(path).get("architecture", {}))
        if arch.get("net"):
            raise ConfigError(f"parent {source!r} is an imported architecture ({arch['net']}): prune it from its "
                              f".onnx and card (light-tracker import), which say how its inputs are normalised")
        return None
    return ModelCard.load(card_path_for(resolve_model(source, models_dir)))


def architecture_of_variant(source: str) -> dict[str, Any]:
    """Architecture dict of ``variant:NAME`` (empty if unknown; :func:`load_parent` reports that)."""
    from light_tracker_ros.models.registry import architecture
    try:
        return architecture(source.split(":", 1)[1])
    except KeyError:
        return {}


def load_checkpoint(path: str | Path) -> tuple[TrackerNet, dict[str, Any]]:
    """
    Rebuild the network of a training checkpoint or snapshot (eval mode); return it with the raw checkpoint.

    The file is read with ``torch.load(weights_only=True)``: tensors and plain types only, no pickled code.

    :raises ModelFileError: missing file, or not ``{"architecture": ..., "model": state_dict, ...}``, or weights
        that do not fit the architecture.
    """
    path = Path(path).expanduser()
    ckpt = read_checkpoint(path)
    if "architecture" not in ckpt or "model" not in ckpt:
        raise ModelFileError(f"checkpoint {path} must hold {{'architecture': ..., 'model': state_dict}}")
    return _filled(build_model(ckpt["architecture"]), ckpt["model"], path), ckpt


def _filled(model: TrackerNet, state: dict[str, torch.Tensor], source: Path) -> TrackerNet:
    wanted = model.state_dict()
    bad = [k for k, v in wanted.items() if not k.endswith("num_batches_tracked")
           and (k not in state or tuple(state[k].shape) != tuple(v.shape))]
    if bad:
        raise ModelFileError(f"{source}: {len(bad)} tensors are missing or mis-shaped for its architecture "
                             f"(first: {bad[:3]}); re-export the model with light_tracker_ros.models.export")
    model.load_state_dict({k: state.get(k, v) for k, v in wanted.items()})
    return model.eval()
