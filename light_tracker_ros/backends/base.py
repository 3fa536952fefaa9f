# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What every backend offers: its card, its file, and ``run(template, search)``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, card_path_for, file_sha256


class Backend:
    """Runs a tracker model: normalised 1x3xTxT template and 1x3xSxS search in; score, size, offset out."""

    name = "base"

    def __init__(self, path: Path, num_threads: int) -> None:
        self.path = Path(path)
        self.num_threads = num_threads
        self.card = load_card_checked(self.path)

    def run(self, template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Score logits (1,1,H,W), size (1,2,H,W), offset (1,2,H,W) as float32 numpy arrays."""
        raise NotImplementedError

    @property
    def description(self) -> str:
        """Short text such as ``onnxruntime x1``."""
        return f"{self.name} x{self.num_threads}"


def load_card_checked(path: Path) -> ModelCard:
    """Load the card beside ``path`` and check that it belongs to that file."""
    if not path.exists():
        raise ModelFileError(f"model file {path} does not exist")
    card = ModelCard.load(card_path_for(path))
    if card.onnx_sha256 and card.onnx_sha256 != file_sha256(path):
        raise ModelFileError(f"model file {path} does not match its card (sha256 differs): "
                             "the file was changed or the card belongs to another model; re-export both")
    return card
