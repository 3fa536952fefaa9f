# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Torch backend: rebuilds the network from the card's architecture and fills it from the ONNX weights."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from light_tracker_ros.backends.base import Backend, check_param_count, initializer_shapes
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
        shapes = initializer_shapes(self.path)
        self._check_shapes(shapes)
        self.model = build_model(self.card.architecture).eval()  # sizes checked: this allocates what the file holds
        weights = state_dict_from_onnx(self.path)
        self.model.load_state_dict({k: weights.get(k, v) for k, v in self.model.state_dict().items()})

    def _check_shapes(self, shapes: dict[str, tuple[int, ...]]) -> None:
        """
        Build the card's network on the meta device (no memory) and check it against the file's initializers.

        :raises ModelFileError: invalid architecture, more values than the file holds, or a missing or
            differently shaped weight.
        """
        try:
            with torch.device("meta"):
                meta = build_model(self.card.architecture)
        except Exception:  # noqa: BLE001 - a bad recipe fails in many ways; its text may quote the card
            raise ModelFileError(f"card of {self.path} has an invalid architecture for its family") from None
        wanted = {k: tuple(v.shape) for k, v in meta.state_dict().items() if not k.endswith("num_batches_tracked")}
        check_param_count(self.path, sum(int(np.prod(s, dtype=np.int64)) for s in wanted.values()), shapes,
                          "the card's architecture")
        missing = [k for k in wanted if k not in shapes]
        if missing:
            raise ModelFileError(f"model file {self.path} lacks weights for {len(missing)} tensors of the torch "
                                 f"network (first: {missing[:3]}); export it with light_tracker_ros.models.export")
        for key, shape in wanted.items():
            if shapes[key] != shape:
                raise ModelFileError(f"model file {self.path}: weight '{key}' has shape {shapes[key]}, "
                                     f"the card's architecture needs {shape}")

    @torch.inference_mode()
    def run(self, template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One inference."""
        outputs = self.model(torch.from_numpy(template), torch.from_numpy(search))
        return tuple(o.numpy() for o in outputs)  # type: ignore[return-value]
