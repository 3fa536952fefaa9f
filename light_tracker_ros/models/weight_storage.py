# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Half-precision weight storage for ONNX files: half the bytes on disk, float32 arithmetic at run time.

Every float32 initializer with at least ``min_elements`` values is stored as float16 under
``<name>__fp16`` and widened back by a ``Cast`` node that outputs ``<name>``, so the graph is unchanged
for its readers. ONNX Runtime folds those casts into float32 constants when it builds the session (no
cost per frame); the torch backend widens the same values when it loads the file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HALF_SUFFIX = "__fp16"


def halve(model: onnx.ModelProto, min_elements: int = 16) -> int:
    """Switch ``model`` (in memory) to half-precision weight storage; return how many initializers changed."""
    graph = model.graph
    casts, keep = [], []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < min_elements:
            keep.append(init)
            continue
        values = numpy_helper.to_array(init)
        keep.append(numpy_helper.from_array(values.astype(np.float16), init.name + HALF_SUFFIX))
        casts.append(helper.make_node("Cast", [init.name + HALF_SUFFIX], [init.name], to=TensorProto.FLOAT,
                                      name=f"widen_{init.name}"))
    if casts:
        del graph.initializer[:]
        graph.initializer.extend(keep)
        nodes = casts + list(graph.node)
        del graph.node[:]
        graph.node.extend(nodes)
        onnx.checker.check_model(model)
    return len(casts)


def store_half(path: str | Path, min_elements: int = 16) -> int:
    """Rewrite the file ``path`` with half-precision weight storage; return how many initializers changed."""
    model = onnx.load(str(path))
    count = halve(model, min_elements)
    if count:
        onnx.save(model, str(path))
    return count


def widened(name: str, values: np.ndarray) -> tuple[str, np.ndarray]:
    """Return the torch name and float32 values of an initializer (undoing :func:`store_half`)."""
    if name.endswith(HALF_SUFFIX):
        return name[:-len(HALF_SUFFIX)], values.astype(np.float32)
    return name, values
