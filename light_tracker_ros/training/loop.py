# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The training loop: single process or torchrun (DDP, gloo), with progress bar, checkpoints and resume."""
from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler

from light_tracker_ros.core.paths import data_dir
from light_tracker_ros.data.pairs import PairArrays, PairDataset
from light_tracker_ros.models.head import decode_peak
from light_tracker_ros.models.losses import tracking_loss
from light_tracker_ros.models.net import TrackerNet, build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.training.config import TrainConfig
from light_tracker_ros.training.distributed import DistInfo, barrier, init_distributed, unwrap, wrap_ddp

log = logging.getLogger(__name__)


def resolve_pairs(folders: list[str]) -> PairArrays:
    """Load and join pair folders given absolute or relative to the data dir."""
    parts = [PairArrays.load(p if Path(p).is_absolute() else data_dir() / p) for p in folders]
    return parts[0] if len(parts) == 1 else PairArrays.concat(parts)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the IoU of (cx, cy, w, h) boxes, row by row."""
    ax0, ay0, ax1, ay1 = a[:, 0] - a[:, 2] / 2, a[:, 1] - a[:, 3] / 2, a[:, 0] + a[:, 2] / 2, a[:, 1] + a[:, 3] / 2
    bx0, by0, bx1, by1 = b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2, b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2
    inter = ((torch.min(ax1, bx1) - torch.max(ax0, bx0)).clamp(min=0)
             * (torch.min(ay1, by1) - torch.max(ay0, by0)).clamp(min=0))
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter).clamp(min=1e-9)


@torch.no_grad()
def validate(model: TrackerNet, pairs: PairArrays, size: int, batch: int = 64) -> dict[str, float]:
    """Mean loss and mean IoU of the peak box on the first ``size`` held-out pairs."""
    model.eval()
    dataset = PairDataset(pairs, augment=False)
    n = min(size, len(dataset))
    losses, ious = [], []
    for start in range(0, n, batch):
        items = [dataset[i] for i in range(start, min(start + batch, n))]
        template, search, boxes = (torch.stack(t) for t in zip(*items))
        outputs = model(template, search)
        losses.append(tracking_loss(outputs, boxes)[0].item() * len(items))
        ious.append(box_iou(decode_peak(*outputs), boxes))
    model.train()
    iou = torch.cat(ious)
    return {"val_loss": sum(losses) / n, "val_iou": float(iou.mean()),
            "val_success50": float((iou > 0.5).float().mean())}


def lr_at(step: int, cfg: TrainConfig, minutes: float = 0.0) -> float:
    """Linear warm-up then cosine decay to 5% of the peak, ending at ``steps`` or ``max_minutes``, first reached."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    # whole minutes only: a run that ends on its step count is then bit-reproducible (no timing noise in the lr)
    progress = min(max((step - cfg.warmup_steps) / max(cfg.steps - cfg.warmup_steps, 1),
                       math.floor(minutes) / cfg.max_minutes), 1.0)
    return cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def save_checkpoint(path: Path, model: TrackerNet, optimizer: torch.optim.Optimizer, state: dict[str, Any]) -> None:
    """Write model, optimiser and loop state atomically."""
    tmp = path.with_suffix(".tmp")
    torch.save({"architecture": model.architecture, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "state": state}, tmp)
    tmp.replace(path)


def save_snapshot(path: Path, model: TrackerNet, state: dict[str, Any]) -> None:
    """Write the weights and loop position only (no optimiser): a candidate for selection on real video."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"architecture": model.architecture, "model": model.state_dict(),
                "state": {k: v for k, v in state.items() if k != "history"}}, tmp)
    tmp.replace(path)


def train(cfg: TrainConfig, run_dir: Path | None = None, model: TrackerNet | None = None,
          progress: bool = True) -> dict[str, Any]:
    """
    Train ``cfg.variant`` (or ``model``) on ``cfg.pairs``; resume from ``run_dir/last.pt`` if present.

    Returns the final loop state (step, minutes, history, best validation IoU).
    """
    from tqdm import tqdm
    info: DistInfo = init_distributed()
    torch.set_num_threads(cfg.num_threads)
    torch.manual_seed(cfg.seed + info.rank)
    run_dir = Path(run_dir or data_dir() / "runs" / cfg.name)
    run_dir.mkdir(parents=True, exist_ok=True)
    model = model or build_model(architecture(cfg.variant))
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    state: dict[str, Any] = {"step": 0, "minutes": 0.0, "history": [], "best_val_iou": -1.0, "config": dict(
        cfg.__dict__)}
    last = run_dir / "last.pt"
    if last.exists():
        ckpt = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        state = ckpt["state"]
        if state.get("config", {}).get("pairs") != list(cfg.pairs):  # data changed on resume: keep the record
            state.setdefault("data_history", []).append({"from_step": state["step"], "pairs": list(cfg.pairs)})
        state["config"] = dict(cfg.__dict__)
        if info.is_main:
            log.info("resumed %s at step %d (%.1f min)", last, state["step"], state["minutes"])
    state["world_size"] = info.world_size
    pairs = resolve_pairs(cfg.pairs)
    val_pairs = resolve_pairs(cfg.val_pairs) if cfg.val_pairs else None
    dataset = PairDataset(pairs, augment=cfg.augment, seed=cfg.seed + 1000 * info.rank + state["step"])
    sampler = (DistributedSampler(dataset, info.world_size, info.rank, seed=cfg.seed + state["step"])
               if info.world_size > 1 else RandomSampler(dataset))
    loader = DataLoader(dataset, batch_size=cfg.batch_size, sampler=sampler, drop_last=True, num_workers=0)
    ddp_model = wrap_ddp(model, info)
    ddp_model.train()
    started = time.perf_counter() - state["minutes"] * 60
    bar = tqdm(total=cfg.steps, initial=state["step"], desc=cfg.name, disable=not (progress and info.is_main),
               mininterval=5.0)
    epoch = 0
    done = False
    while not done:
        if isinstance(sampler, DistributedSampler):
            sampler.set_epoch(epoch)
        epoch += 1
        for template, search, boxes in loader:
            step = state["step"]
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, cfg, state["minutes"])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.precision == "bf16"):
                outputs = ddp_model(template, search)
            loss, parts = tracking_loss(tuple(o.float() for o in outputs), boxes)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            optimizer.step()
            state["step"] = step + 1
            state["minutes"] = (time.perf_counter() - started) / 60
            if step % 20 == 0:
                state["history"].append({"step": step + 1, "minutes": round(state["minutes"], 3), **parts})
            bar.update(1)
            bar.set_postfix(loss=f"{parts['total']:.3f}", giou=f"{parts['giou']:.3f}", refresh=False)
            finished = state["step"] >= cfg.steps or state["minutes"] >= cfg.max_minutes
            if info.is_main and val_pairs is not None and (state["step"] % cfg.val_every == 0 or finished):
                metrics = validate(unwrap(ddp_model), val_pairs, cfg.val_size)
                state["history"].append({"step": state["step"], "minutes": round(state["minutes"], 3), **metrics})
                bar.write(f"step {state['step']}: val iou {metrics['val_iou']:.3f}, loss {metrics['val_loss']:.3f}")
                if metrics["val_iou"] > state["best_val_iou"]:
                    state["best_val_iou"] = metrics["val_iou"]
                    save_checkpoint(run_dir / "best.pt", model, optimizer, state)
            if info.is_main and (state["step"] % cfg.checkpoint_every == 0 or finished):
                save_checkpoint(last, model, optimizer, state)
                (run_dir / "history.json").write_text(json.dumps(state["history"]))
            if info.is_main and cfg.snapshot_every and state["step"] % cfg.snapshot_every == 0:
                save_snapshot(run_dir / "snapshots" / f"step_{state['step']:06d}.pt", model, state)
            if finished:
                done = True
                break
    bar.close()
    barrier(info)
    if info.is_main:
        plot_history(state["history"], run_dir / "curves.png", cfg.name)
    return state


def plot_history(history: list[dict[str, Any]], path: Path, title: str) -> None:
    """Training loss and validation IoU against training minutes, as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    train_rows = [h for h in history if "total" in h]
    val_rows = [h for h in history if "val_iou" in h]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    if train_rows:
        minutes = np.array([h["minutes"] for h in train_rows])
        total = np.array([h["total"] for h in train_rows])
        kernel = np.ones(min(10, len(total))) / min(10, len(total))
        ax1.plot(minutes, total, alpha=0.3, color="C0")
        ax1.plot(minutes[len(kernel) - 1:], np.convolve(total, kernel, mode="valid"), color="C0", label="train loss")
        ax1.set_xlabel("training minutes")
        ax1.set_ylabel("loss")
        ax1.legend()
    if val_rows:
        ax2.plot([h["minutes"] for h in val_rows], [h["val_iou"] for h in val_rows], "o-", color="C1",
                 label="val IoU (held-out composites)")
        ax2.set_xlabel("training minutes")
        ax2.set_ylabel("mean IoU")
        ax2.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
