# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The one training engine: a :class:`Trainer` runs an :class:`Objective` on step-seeded batches.

The trainer owns the loop, the learning-rate schedule (warm-up, then cosine to a floor, ending at a step or a
whole-minute time budget), gradient clipping, bf16 autocast, DDP (gloo), checkpoints and resume, snapshots,
validation, the progress bar and the curves. An objective only turns a batch into a loss (pytracking's
"actor"): the tracking loss (training parents), the mask search with its L1 penalty, and distillation
(fine-tuning a pruned child) are objectives; parents, search and fine-tuning are configurations of one Trainer.
"""
from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.training.batches import Batch
from light_tracker_ros.training.checkpoint import atomic_save, read_checkpoint
from light_tracker_ros.training.curves import plot_history
from light_tracker_ros.training.distributed import DistInfo, barrier, from_main, wrap_ddp

log = logging.getLogger(__name__)
Stats = dict[str, float]


class Forward:
    """Calls a module under the run's precision (bf16 autocast or fp32); outputs come back as float32."""

    def __init__(self, module: nn.Module, precision: str = "fp32") -> None:
        self.module = module
        self.precision = precision

    def __call__(self, *inputs: torch.Tensor) -> Any:
        """Forward ``inputs`` through the (possibly DDP-wrapped) module."""
        return self.run(self.module, *inputs)

    def run(self, fn: Callable[..., Any], *inputs: torch.Tensor) -> Any:
        """Call any ``fn`` (a teacher, say) under the same precision."""
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            out = fn(*inputs)
        return _float(out)


def _float(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.float()
    if isinstance(value, (tuple, list)):
        return type(value)(_float(v) for v in value)
    return value


class Objective:
    """
    What a run minimises; the default is the plain tracking loss of every parameter.

    Subclasses change the loss (``__call__``), the trained parameters (``param_groups``), the module that is
    forwarded and synchronised by DDP (``module``), the modes before and after the run (``start``, ``finish``)
    and add stats read after each update (``after_step``).
    """

    def param_groups(self, model: TrackerNet) -> list[dict[str, Any]]:
        """Optimiser parameter groups; a group without ``lr`` gets the run's learning rate."""
        return [{"params": [p for p in model.parameters() if p.requires_grad]}]

    def module(self, model: TrackerNet) -> nn.Module:
        """Return the module whose forward the objective calls (wrapped in DDP under torchrun)."""
        return model

    def start(self, model: TrackerNet) -> None:
        """Put the model in its training state."""
        model.train()

    def finish(self, model: TrackerNet) -> None:
        """Restore the model after the run."""

    def __call__(self, net: Forward, batch: Batch) -> tuple[torch.Tensor, Stats]:
        """Loss of one batch and its parts as floats (``total`` at least)."""
        raise NotImplementedError

    def after_step(self, model: TrackerNet) -> Stats:
        """More stats, read after the optimiser step."""
        return {}


@dataclass(frozen=True)
class TrainerSettings:
    """How one run trains: schedule, optimiser, precision and how often it checkpoints, snapshots, validates."""

    name: str = "run"
    stage: str = "training"
    steps: int = 1
    lr: float = 1e-3
    warmup_steps: int = 0
    lr_floor: float = 0.05
    max_minutes: float = math.inf
    optimizer: str = "adamw"
    weight_decay: float = 0.0
    grad_clip: float = 0.0
    precision: str = "fp32"
    checkpoint_every: int = 200
    snapshot_every: int = 0
    val_every: int = 0
    history_every: int = 1
    progress: bool = True

    def lr_factor(self, step: int, minutes: float = 0.0) -> float:
        """
        Linear warm-up, then cosine decay from 1 to ``lr_floor`` ending at ``steps`` or ``max_minutes``.

        Only whole minutes count, so a run that ends on its step count is bit-reproducible (no timing noise in
        the learning rate). ``lr_floor`` 1 keeps the rate constant.
        """
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        progress = min(max((step - self.warmup_steps) / max(self.steps - self.warmup_steps, 1),
                           math.floor(minutes) / self.max_minutes), 1.0)
        return self.lr_floor + (1.0 - self.lr_floor) * 0.5 * (1 + math.cos(math.pi * progress))


@dataclass(frozen=True)
class RunFiles:
    """Where a run writes; ``None`` = not written. Only rank 0 writes."""

    checkpoint: Path | None = None
    best: Path | None = None
    history: Path | None = None
    curves: Path | None = None
    snapshots: Path | None = None

    @classmethod
    def run_dir(cls, folder: Path) -> "RunFiles":
        """Name the files of a training run's folder: last.pt, best.pt, history.json, curves.png, snapshots/."""
        return cls(folder / "last.pt", folder / "best.pt", folder / "history.json", folder / "curves.png",
                   folder / "snapshots")

    @classmethod
    def stage(cls, folder: Path, name: str) -> "RunFiles":
        """One stage of a pipeline: ``<name>.pt``, ``<name>.history.json`` and ``<name>.curves.png``."""
        return cls(folder / f"{name}.pt", None, folder / f"{name}.history.json", folder / f"{name}.curves.png")


class Trainer:
    """
    Train ``model`` on ``objective`` with batches ``batches(step)`` for ``settings.steps`` steps.

    ``validate(model) -> metrics`` runs every ``val_every`` steps on rank 0 (a best ``val_iou`` is kept in
    ``files.best``); ``config`` is recorded in the state and ``extra`` (plain values) in every checkpoint.
    """

    def __init__(self, model: TrackerNet, objective: Objective, batches: Callable[[int], Batch],
                 settings: TrainerSettings, files: RunFiles = RunFiles(), info: DistInfo = DistInfo(),
                 validate: Callable[[TrackerNet], Stats] | None = None, config: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        self.model, self.objective, self.batches = model, objective, batches
        self.settings, self.files, self.info, self.validate = settings, files, info, validate
        self.extra = dict(extra or {})
        groups = objective.param_groups(model)
        for group in groups:
            group.setdefault("lr", settings.lr)
            group["base_lr"] = group["lr"]
        if settings.optimizer == "adamw":
            self.optimizer: torch.optim.Optimizer = torch.optim.AdamW(groups, weight_decay=settings.weight_decay)
        elif settings.optimizer == "adam":
            self.optimizer = torch.optim.Adam(groups, weight_decay=settings.weight_decay)
        else:
            raise ValueError(f"optimizer must be 'adamw' or 'adam', got {settings.optimizer!r}")
        self.state: dict[str, Any] = {"step": 0, "minutes": 0.0, "history": [], "best_val_iou": -1.0,
                                      "config": dict(config or {}), "world_size": info.world_size}

    def resume(self, accept: Callable[[dict[str, Any]], bool] | None = None) -> bool:
        """
        Continue from ``files.checkpoint`` if it exists (and ``accept(checkpoint)`` agrees); return whether it did.

        :raises ModelFileError: the checkpoint is unreadable or holds other objects than tensors and plain types.
        """
        path = self.files.checkpoint
        if path is None or not path.exists():
            return False
        ckpt = read_checkpoint(path)
        if "state" not in ckpt or (accept is not None and not accept(ckpt)):
            log.info("%s: %s belongs to another run; %s starts afresh", self.settings.name, path,
                     self.settings.stage)
            return False
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.state = {**ckpt["state"], "world_size": self.info.world_size}
        if self.info.is_main:
            log.info("%s: resuming %s at step %d (%.1f min) from %s", self.settings.name, self.settings.stage,
                     self.state["step"], self.state["minutes"], path)
        return True

    def finished(self) -> bool:
        """Whether the step count or the time budget is reached."""
        return self.state["step"] >= self.settings.steps or self.state["minutes"] >= self.settings.max_minutes

    def fit(self, max_steps: int | None = None) -> dict[str, Any]:
        """
        Run to the end (or the time budget); return the state (step, minutes, history, best_val_iou, ...).

        ``max_steps`` stops this call after that many steps, as an interruption would (what was not checkpointed
        is redone on resume).
        """
        from tqdm import tqdm
        s, state, main = self.settings, self.state, self.info.is_main
        self.objective.start(self.model)
        net = Forward(wrap_ddp(self.objective.module(self.model), self.info), s.precision)
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        started = time.perf_counter() - state["minutes"] * 60
        bar = tqdm(total=s.steps, initial=state["step"], desc=s.name, disable=not (s.progress and main),
                   mininterval=5.0, leave=False)
        stop = math.inf if max_steps is None else state["step"] + max_steps
        while not self.finished() and state["step"] < stop:
            step = state["step"]
            factor = s.lr_factor(step, state["minutes"])
            for group in self.optimizer.param_groups:
                group["lr"] = group["base_lr"] * factor
            loss, stats = self.objective(net, self.batches(step))
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if s.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(params, s.grad_clip)
            self.optimizer.step()
            stats = {**stats, **self.objective.after_step(self.model)}
            state["step"] = step + 1
            # rank 0's clock on every rank: all ranks take the same lr and stop at the same step
            state["minutes"] = from_main((time.perf_counter() - started) / 60, self.info)
            if step % s.history_every == 0:
                state["history"].append({"step": step + 1, "minutes": round(state["minutes"], 3),
                                         "lr": self.optimizer.param_groups[0]["lr"], **stats})
            bar.update(1)
            bar.set_postfix({k: f"{v:.3f}" for k, v in stats.items() if k in ("total", "giou", "mask_l1")},
                            refresh=False)
            if main:
                self._record(bar)
        bar.close()
        self.objective.finish(self.model)
        barrier(self.info)
        if main and self.files.curves is not None and state["history"]:
            plot_history(state["history"], self.files.curves, s.name)
        return state

    def _record(self, bar: Any) -> None:
        s, state, step = self.settings, self.state, self.state["step"]
        done = self.finished()
        due = self.validate is not None and s.val_every and (step % s.val_every == 0 or done)
        metrics = self.validate(self.model) if due else {}
        if metrics:
            state["history"].append({"step": step, "minutes": round(state["minutes"], 3), **metrics})
            bar.write(f"{s.name} step {step}: val iou {metrics['val_iou']:.3f}, loss {metrics['val_loss']:.3f}")
            if metrics["val_iou"] > state["best_val_iou"]:
                state["best_val_iou"] = metrics["val_iou"]
                if self.files.best is not None:
                    atomic_save(self._checkpoint(), self.files.best)
        if step % s.checkpoint_every == 0 or done:
            if self.files.checkpoint is not None:
                atomic_save(self._checkpoint(), self.files.checkpoint)
            if self.files.history is not None:
                self.files.history.write_text(json.dumps(state["history"]))
        if self.files.snapshots is not None and s.snapshot_every and step % s.snapshot_every == 0:
            snapshot = {k: v for k, v in self._checkpoint().items() if k != "optimizer"}
            snapshot["state"] = {k: v for k, v in state.items() if k != "history"}
            atomic_save(snapshot, self.files.snapshots / f"step_{step:06d}.pt")

    def _checkpoint(self) -> dict[str, Any]:
        return {"architecture": self.model.architecture, "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(), "state": self.state, **self.extra}
