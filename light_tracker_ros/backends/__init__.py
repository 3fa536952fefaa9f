# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Inference backends: ONNX Runtime (default) and torch; both open a resolved ``.onnx`` file and its card."""
from __future__ import annotations

from pathlib import Path

from light_tracker_ros.backends.base import Backend
from light_tracker_ros.core.config import BACKENDS
from light_tracker_ros.core.errors import ConfigError


def open_backend(path: str | Path, backend: str = "onnxruntime", num_threads: int = 1) -> Backend:
    """
    Open the model file ``path`` with the chosen backend (names are resolved by light_tracker_ros.runtime).

    :raises TrackerError: unknown backend, or a missing, corrupt or mismatched model file.
    """
    if backend == "onnxruntime":
        from light_tracker_ros.backends.onnx_backend import OnnxRuntimeBackend
        return OnnxRuntimeBackend(Path(path), num_threads)
    if backend == "torch":
        from light_tracker_ros.backends.torch_backend import TorchBackend
        return TorchBackend(Path(path), num_threads)
    raise ConfigError(f"backend must be one of {BACKENDS}, got {backend!r}")
