# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the evaluation tests: OpenCV on one thread, a tiny exported model (frames: ``scenes.SQUARE``)."""
from __future__ import annotations

from pathlib import Path

import cv2
import pytest

cv2.setNumThreads(1)


@pytest.fixture(autouse=True)
def _single_thread():
    """Keep OpenCV on one thread (the machine is shared with a training job)."""
    cv2.setNumThreads(1)
    yield


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """Export an untrained cnn_tiny to ONNX with its card (plumbing tests only)."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture

    torch.set_num_threads(1)
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models")
    export_onnx(build_model(architecture("cnn_tiny")), folder, "cnn_tiny")
    return folder / "cnn_tiny.onnx"
