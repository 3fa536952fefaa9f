# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Reading a tracker network's weights back from its exported ``.onnx`` file (for the torch backend and pruning)."""
from __future__ import annotations

from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.models.weight_storage import widened


def state_dict_from_onnx(path: str | Path) -> dict[str, torch.Tensor]:
    """
    Return the named initializers of an ONNX file as torch tensors (half-stored ones widened to float32).

    :raises ModelFileError: the file is not a readable ONNX model.
    """
    try:
        graph = onnx.load(str(path)).graph
    except Exception as exc:  # noqa: BLE001 - protobuf errors vary
        raise ModelFileError(f"model file {Path(path).name} is not a readable ONNX model: {exc}") from exc
    state = {}
    for init in graph.initializer:
        name, values = widened(init.name, numpy_helper.to_array(init))
        state[name] = torch.from_numpy(values.copy())
    return state
