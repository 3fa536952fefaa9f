# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Torch backend: rebuilds the network from the card's architecture and fills it from the ONNX weights."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from light_tracker_ros.backends.base import Backend
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.onnx_weights import state_dict_from_onnx


class TorchBackend(Backend):
    """
    Runs the torch network described by the card, with the weights stored in the ``.onnx`` file.

    torch's intra-op thread pool belongs to the process: this backend never changes it (a second model loaded
    beside a running one would change the first one's threads). Entry points set it once with
    ``torch.set_num_threads``; ``num_threads`` here is only reported.
    """

    name = "torch"

    def __init__(self, path: Path, num_threads: int = 1) -> None:
        super().__init__(path, num_threads)
        try:
            self.model = build_model(self.card.architecture).eval()
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelFileError(f"card of {path} has an invalid architecture: {exc}") from exc
        weights = state_dict_from_onnx(self.path)
        wanted = self.model.state_dict()
        missing = [k for k, v in wanted.items() if k not in weights and not k.endswith("num_batches_tracked")]
        if missing:
            raise ModelFileError(f"model file {path} lacks weights for {len(missing)} tensors of the torch "
                                 f"network (first: {missing[:3]}); export it with light_tracker_ros.models.export")
        for key, value in wanted.items():
            if key in weights and tuple(weights[key].shape) != tuple(value.shape):
                raise ModelFileError(f"model file {path}: weight '{key}' has shape {tuple(weights[key].shape)}, "
                                     f"the card's architecture needs {tuple(value.shape)}")
        self.model.load_state_dict({k: weights.get(k, v) for k, v in wanted.items()})

    @torch.inference_mode()
    def run(self, template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One inference."""
        outputs = self.model(torch.from_numpy(template), torch.from_numpy(search))
        return tuple(o.numpy() for o in outputs)  # type: ignore[return-value]
