# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: a tiny tracker really trained on synthetic pairs."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def trained_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a cnn_tiny ONNX model (with card) trained for 600 steps on synthetic pairs (one thread, seeded)."""
    from tiny import train_tiny_model

    return train_tiny_model(tmp_path_factory.mktemp("tiny_model"), steps=600)
