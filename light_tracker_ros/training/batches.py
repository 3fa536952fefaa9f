# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Batches drawn per step from a seed, so that a resumed run sees exactly the pairs the whole run would."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.data.pairs import IMAGENET_RGB, Normalisation, PairArrays, PairDataset

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def split_indices(n: int, val_size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-out pair indices: ``val_size`` pairs (at most a quarter) are held out."""
    order = np.random.default_rng(seed).permutation(n)
    k = min(val_size, n // 4)
    return np.sort(order[k:]), np.sort(order[:k])


class StepBatches:
    """
    ``batch(step, stream)`` -> (templates, searches, boxes), a function of (seed, stream, step, rank) only.

    Pairs are drawn with replacement from ``indices`` (repeat an index to weight it); augmentation draws from
    the same per-step generator. Each rank draws its own batch. ``norm`` is the model's input normalisation.
    """

    def __init__(self, pairs: PairArrays | Sequence[PairArrays], indices: Sequence[int], batch_size: int,
                 seed: int = 0, rank: int = 0, augment: bool = False, norm: Normalisation = IMAGENET_RGB) -> None:
        if len(indices) == 0:
            raise ConfigError("no training pairs: give at least one non-empty pair folder")
        self.dataset = PairDataset(pairs, augment=augment, norm=norm)
        self.indices = np.asarray(indices)
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank

    def batch(self, step: int, stream: int = 0) -> Batch:
        """Return the batch of ``step`` in ``stream`` (pruning: 0 = search, 1 + k = fine-tuning of budget k)."""
        rng = np.random.default_rng([self.seed, stream, step, self.rank])
        picks = self.indices[rng.integers(0, len(self.indices), self.batch_size)]
        return stack([self.dataset.item(int(i), rng) for i in picks])


def stack(items: list[tuple[torch.Tensor, ...]]) -> Batch:
    """Stack dataset items into batch tensors."""
    return tuple(torch.stack(t) for t in zip(*items))  # type: ignore[return-value]
