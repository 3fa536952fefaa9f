# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training configuration (filled from ``config/train/*.yaml``)."""
from __future__ import annotations

from dataclasses import dataclass

from light_tracker_ros.core.config import spec
from light_tracker_ros.data.pairs import pair_sources


@dataclass(frozen=True)
class TrainConfig:
    """One training run of one model variant on pair folders."""

    name: str = spec("model", "run and model name (checkpoints go to <data_dir>/runs/<name>)")
    variant: str = spec("cnn_small", "registered architecture variant (see models/registry.py)")
    pairs: list = spec([], "pair folders (absolute, or relative to the data dir), each a folder or "
                       "{path: folder, weight: N} to draw its pairs N times as often")
    val_pairs: list = spec([], "held-out pair folders for validation IoU")
    batch_size: int = spec(32, "pairs per step (per process under torchrun)", min=1, max=4096)
    steps: int = spec(20000, "last step of the cosine schedule", min=1)
    max_minutes: float = spec(60.0, "stop after this much training time, summed over resumes", min=0.1)
    lr: float = spec(5e-4, "AdamW peak learning rate", min=1e-7, max=1.0)
    weight_decay: float = spec(1e-4, "AdamW weight decay", min=0.0, max=1.0)
    warmup_steps: int = spec(300, "linear warm-up steps", min=0)
    grad_clip: float = spec(5.0, "gradient norm clip", min=0.0)
    num_threads: int = spec(1, "torch CPU threads per process", min=1, max=64)
    checkpoint_every: int = spec(200, "steps between checkpoints", min=1)
    snapshot_every: int = spec(0, "also keep snapshots/step_NNNNNN.pt every N steps, to select on real video "
                               "with light-tracker select (0 = none)", min=0)
    val_every: int = spec(500, "steps between validations", min=1)
    val_size: int = spec(1024, "held-out pairs used per validation", min=1)
    augment: bool = spec(True, "colour jitter, grey and flips")
    precision: str = spec("bf16", "forward-pass precision: bf16 autocast (fast on CPUs with AVX512-BF16/AMX) or fp32",
                          choices=("bf16", "fp32"))
    seed: int = spec(0, "random seed")

    def __post_init__(self) -> None:
        """Check the pair folder entries (a bad one is a ConfigError naming it)."""
        pair_sources(self.pairs)
        pair_sources(self.val_pairs, "val_pairs")
