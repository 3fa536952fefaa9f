# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ONNX Runtime backend (CPU), with a configurable intra-op thread count."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from light_tracker_ros.backends.base import Backend, check_param_count, initializer_shapes
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import INPUT_NAMES, OUTPUT_NAMES


class OnnxRuntimeBackend(Backend):
    """Runs a ``.onnx`` tracker model with ONNX Runtime on the CPU."""

    name = "onnxruntime"

    def __init__(self, path: Path, num_threads: int = 1) -> None:
        super().__init__(path, num_threads)
        check_param_count(self.path, self.card.params, initializer_shapes(self.path), "its card's 'params'")
        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - ORT raises several unrelated types for bad files
            # ORT's text may quote the file (node and tensor names): name the error type only
            raise ModelFileError(f"model file {self.path} is not a loadable ONNX model "
                                 f"({type(exc).__name__})") from None
        inputs = {i.name: i.shape for i in self.session.get_inputs()}
        expected = {"template": [1, 3, self.card.template_size, self.card.template_size],
                    "search": [1, 3, self.card.search_size, self.card.search_size]}
        for name in INPUT_NAMES:
            if name not in inputs:
                raise ModelFileError(f"model file {self.path} has no input '{name}' (expected {list(INPUT_NAMES)})")
            if list(inputs[name]) != expected[name]:
                raise ModelFileError(f"model file {self.path}: input '{name}' has another shape than its card's "
                                     f"{name}_size gives")
        outputs = [o.name for o in self.session.get_outputs()]
        if list(outputs) != list(OUTPUT_NAMES):
            raise ModelFileError(f"model file {self.path} does not have the outputs {list(OUTPUT_NAMES)}")

    def run(self, template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One inference."""
        score, size, offset = self.session.run(None, {"template": template, "search": search})
        return score, size, offset
