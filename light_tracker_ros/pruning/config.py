# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Pruning configuration (filled from ``config/prune/<family>.yaml``; unknown keys are rejected)."""
from __future__ import annotations

from dataclasses import dataclass

from light_tracker_ros.core.config import spec
from light_tracker_ros.pruning.budget import MODES


@dataclass(frozen=True)
class PruneConfig:
    """Mask search, budget thresholding and distilled fine-tuning of one family's parent."""

    family: str = spec("cnn", "family of the parent this config is for", choices=("cnn", "transformer", "hybrid"))
    batch_size: int = spec(16, "pairs per step (per process under torchrun)", min=1, max=4096)
    num_threads: int = spec(1, "torch CPU threads per process", min=1, max=64)
    seed: int = spec(0, "random seed (batches are drawn from it, so resumed runs see the same pairs)")
    augment: bool = spec(True, "colour jitter, grey and flips on training pairs")
    val_size: int = spec(256, "held-out pairs for the validation IoU written to the card", min=1)
    search_steps: int = spec(1000, "mask-search steps (0 = rank by weight magnitude instead)", min=0)
    search_minutes: float = spec(0.0, "wall-clock limit of the mask search in minutes (0 = none; resumable)",
                                 min=0.0)
    search_mask_lr: float = spec(0.01, "Adam learning rate of the masks", min=0.0, max=10.0)
    search_weight_lr: float = spec(0.0, "learning rate of the weights during search (0 = frozen parent)",
                                   min=0.0, max=1.0)
    penalty_conv: float = spec(1e-4, "L1 weight on convolution channel masks (stems, residual blocks)", min=0.0)
    penalty_trunk: float = spec(1e-4, "L1 weight on the head trunk channel masks", min=0.0)
    penalty_heads: float = spec(1e-3, "L1 weight on attention head masks", min=0.0)
    penalty_head_dims: float = spec(1e-4, "L1 weight on attention head-dimension masks", min=0.0)
    penalty_mlp: float = spec(1e-4, "L1 weight on MLP hidden-unit masks", min=0.0)
    budget_mode: str = spec("auto", "global ranking, per-layer, or auto (per layer under per_layer_below)",
                            choices=MODES)
    per_layer_below: float = spec(0.05, "auto mode: budgets under this are thresholded per layer",
                                  min=0.0, max=1.0)
    min_units: int = spec(1, "units every gate keeps at least", min=1)
    unit_multiple: int = spec(1, "per-layer budgets: every gate keeps a multiple of this many units (8 lets ONNX "
                              "Runtime use its blocked convolution kernels; odd widths can make a child slower)",
                              min=1, max=64)
    finetune_steps: int = spec(2000, "distilled fine-tuning steps per budget", min=0)
    finetune_minutes: float = spec(0.0, "wall-clock limit of each child's fine-tuning in minutes (0 = none; the "
                                   "cosine decay then ends at the limit; resumable)", min=0.0)
    finetune_lr: float = spec(3e-4, "AdamW peak learning rate of fine-tuning (cosine decay)", min=0.0, max=1.0)
    weight_decay: float = spec(1e-4, "AdamW weight decay", min=0.0, max=1.0)
    grad_clip: float = spec(5.0, "gradient norm clip (0 = none)", min=0.0)
    distill_score: float = spec(1.0, "weight of the score-map distillation (BCE to the parent's probabilities)",
                                min=0.0)
    distill_box: float = spec(1.0, "weight of the box distillation (L1 to the parent's size and offset maps)",
                              min=0.0)
    distill_features: float = spec(0.0, "weight of the fused-feature distillation (MSE)", min=0.0)
    distill_temperature: float = spec(1.0, "temperature of the score-map distillation", min=0.05, max=20.0)
    distill_track: float = spec(1.0, "weight of the tracking loss on the pairs' boxes beside distillation (below 1 "
                                "for a pretrained parent whose score maps the child should keep)", min=0.0)
    precision: str = spec("bf16", "forward-pass precision of search and fine-tuning (bf16 autocast or fp32)",
                          choices=("bf16", "fp32"))
    checkpoint_every: int = spec(200, "steps between checkpoints", min=1)
    latency_runs: int = spec(30, "timed ONNX Runtime runs (1 thread) for the card's latency", min=0)
    weight_storage: str = spec("float16", "how the child's ONNX file stores weights (float16 halves the file; "
                               "arithmetic stays float32)", choices=("float16", "float32"))

    @property
    def penalties(self) -> dict[str, float]:
        """L1 weight per unit kind (see pruning/units.py KINDS)."""
        return {"conv": self.penalty_conv, "trunk": self.penalty_trunk, "heads": self.penalty_heads,
                "head_dims": self.penalty_head_dims, "mlp": self.penalty_mlp}
