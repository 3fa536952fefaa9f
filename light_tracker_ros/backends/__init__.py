# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Inference backends: ONNX Runtime (default) and torch; both take a ``.onnx`` file and its card."""
from __future__ import annotations

from pathlib import Path

from light_tracker_ros.backends.base import Backend
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.core.model_card import resolve_model

BACKENDS = ("onnxruntime", "torch")


def load_backend(model: str | Path, backend: str = "onnxruntime", num_threads: int = 1,
                 models_dir: str | Path | None = None) -> Backend:
    """Open ``model`` (a name in models/ or a path) with the chosen backend; raise a TrackerError on failure."""
    path = resolve_model(str(model), models_dir)
    if backend == "onnxruntime":
        from light_tracker_ros.backends.onnx_backend import OnnxRuntimeBackend
        return OnnxRuntimeBackend(path, num_threads)
    if backend == "torch":
        from light_tracker_ros.backends.torch_backend import TorchBackend
        return TorchBackend(path, num_threads)
    raise ConfigError(f"backend must be one of {BACKENDS}, got {backend!r}")
