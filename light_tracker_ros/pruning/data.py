# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Batches for search and fine-tuning, drawn per step from a seed so that a resumed run sees the same pairs."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.data.pairs import PairArrays, PairDataset

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def split_indices(n: int, val_size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-out pair indices: ``val_size`` pairs (at most a quarter) are held out."""
    order = np.random.default_rng(seed).permutation(n)
    k = min(val_size, n // 4)
    return np.sort(order[k:]), np.sort(order[:k])


class StepBatches:
    """``batch(step)`` -> (templates, searches, boxes); each rank draws its own indices from its own seed."""

    def __init__(self, pairs: PairArrays, indices: Sequence[int], batch_size: int, seed: int = 0, rank: int = 0,
                 augment: bool = False) -> None:
        if len(indices) == 0:
            raise ConfigError("no training pairs: pass --data with at least one non-empty pair folder")
        self.dataset = PairDataset(pairs, augment=augment, seed=seed + 7919 * rank)
        self.indices = np.asarray(indices)
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank

    def batch(self, step: int, stream: int = 0) -> Batch:
        """Return the batch of ``step`` in ``stream`` (0 = search, 1 + k = fine-tuning of the k-th budget)."""
        rng = np.random.default_rng([self.seed, stream, step, self.rank])
        picks = self.indices[rng.integers(0, len(self.indices), self.batch_size)]
        return stack([self.dataset[int(i)] for i in picks])


def stack(items: list[tuple[torch.Tensor, ...]]) -> Batch:
    """Stack dataset items into batch tensors."""
    return tuple(torch.stack(t) for t in zip(*items))  # type: ignore[return-value]
