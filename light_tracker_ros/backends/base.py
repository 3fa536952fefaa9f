# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What every backend offers: its card, its file, and ``run(template, search)``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, card_path_for, check_file_sizes, file_sha256


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
    """
    Load the card beside ``path`` and check that it belongs to that file, before anything large is read.

    Order: both files' sizes (stat), the card's schema, its ``onnx_sha256`` (required) against the file.

    :raises ModelFileError: naming the file and the rule broken, never the card's contents.
    """
    try:
        exists = path.is_file()
    except (OSError, ValueError):
        exists = False
    if not exists:
        raise ModelFileError(f"model file {path} is not a readable file")
    card_path = card_path_for(path)
    check_file_sizes(path, card_path)
    card = ModelCard.load(card_path)
    if not card.onnx_sha256:
        raise ModelFileError(f"model card {card_path} has no onnx_sha256: a model runs only when its card names "
                             "the file's SHA-256 (export it with light_tracker_ros.models.export)")
    try:
        digest = file_sha256(path)
    except OSError:
        raise ModelFileError(f"model file {path} cannot be read") from None
    if card.onnx_sha256 != digest:
        raise ModelFileError(f"model file {path} does not match its card (sha256 differs): "
                             "the file was changed or the card belongs to another model; re-export both")
    return card


def initializer_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """
    Shapes of the named initializers of an ONNX file (half-stored ones under their float32 name), no data copied.

    :raises ModelFileError: the file is not a readable ONNX model (the parser's text is not quoted).
    """
    import onnx

    from light_tracker_ros.models.weight_storage import HALF_SUFFIX
    try:
        graph = onnx.load(str(path), load_external_data=False).graph
    except Exception:  # noqa: BLE001 - protobuf errors vary and may quote the file
        raise ModelFileError(f"model file {path} is not a readable ONNX model") from None
    shapes = {}
    for init in graph.initializer:
        name = init.name[:-len(HALF_SUFFIX)] if init.name.endswith(HALF_SUFFIX) else init.name
        shapes[name] = tuple(int(d) for d in init.dims)
    return shapes


def check_param_count(path: Path, needed: int, shapes: dict[str, tuple[int, ...]], what: str) -> None:
    """Refuse when ``needed`` values (the card's or its architecture's) exceed what the ONNX file stores."""
    stored = sum(int(np.prod(s, dtype=np.int64)) for s in shapes.values())
    if needed > PARAM_SLACK * stored + 1024:
        raise ModelFileError(f"model file {path}: {what} needs more values than the {stored:,} the ONNX file "
                             "stores; the card belongs to another model")


#: how far a card's parameter count may exceed the ONNX initializers' total (buffers, rounding)
PARAM_SLACK = 1.05
