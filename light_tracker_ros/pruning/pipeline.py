# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The pruning run behind ``light-tracker prune``: search once, then per budget threshold, slice, fine-tune, export.

Every rank searches and fine-tunes (DDP, gloo on CPU); rank 0 alone writes checkpoints, plans and models.
Search and fine-tuning are configurations of the one Trainer (training/engine.py). Work files live in
``work_dir/<parent>/``: ``search.pt`` (masks, optimiser, state), ``<child>.plan.json`` and ``<child>.pt``
(fine-tuning checkpoint with its plan), each with ``.history.json`` and ``.curves.png``; with ``resume`` a
finished stage is skipped and an unfinished one resumes.
"""
from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from light_tracker_ros.core.config import to_mapping
from light_tracker_ros.core.errors import ConfigError, ModelFileError
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.core.paths import portable_path
from light_tracker_ros.data.pairs import IMAGENET_RGB, Normalisation, PairArrays, synthetic_pairs
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.net import TrackerNet
from light_tracker_ros.pruning.budget import budget_plan, magnitude_importance
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.finetune import finetune_trainer
from light_tracker_ros.pruning.masks import mask_values
from light_tracker_ros.pruning.parents import load_parent, parent_card
from light_tracker_ros.pruning.plan import PruningPlan
from light_tracker_ros.pruning.search import search_trainer
from light_tracker_ros.pruning.slicing import slice_model
from light_tracker_ros.pruning.units import build_unit_map, prunable_param_count
from light_tracker_ros.training.batches import StepBatches, split_indices
from light_tracker_ros.training.distributed import DistInfo, barrier
from light_tracker_ros.training.engine import RunFiles
from light_tracker_ros.training.validation import validate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PruneJob:
    """What one ``light-tracker prune`` call asks for."""

    parent: str
    budgets: tuple[float, ...]
    config: PruneConfig
    out: Path
    work_dir: Path
    data: tuple[str, ...] = ()
    synthetic: int = 0
    resume: bool = False
    models_dir: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def child_name(parent: str, budget: float) -> str:
    """``<parent>_p10`` for budget 0.1, ``_p01`` for 0.01, ``_p2_5`` for 0.025."""
    pct = budget * 100
    tag = f"{int(round(pct)):02d}" if abs(pct - round(pct)) < 1e-9 else f"{pct:g}".replace(".", "_")
    return f"{parent}_p{tag}"


def _load_pairs(job: PruneJob, arch: dict[str, Any]) -> PairArrays:
    if job.synthetic:
        return synthetic_pairs(job.synthetic, arch["template_size"], arch["search_size"], seed=job.config.seed)
    if not job.data:
        raise ConfigError("no training data: pass --data PAIR_FOLDER (built by light-tracker pairs), or --synthetic N "
                          "for a smoke test")
    parts = [PairArrays.load(p) for p in job.data]
    pairs = parts[0] if len(parts) == 1 else PairArrays.concat(parts)
    size = (pairs.templates.shape[1], pairs.searches.shape[1])
    if size != (arch["template_size"], arch["search_size"]):
        raise ConfigError(f"pairs {list(job.data)} have template/search sizes {size}, the parent needs "
                          f"({arch['template_size']}, {arch['search_size']}); build pairs at the parent's sizes")
    return pairs


def _share(obj: Any, info: DistInfo) -> Any:
    """Rank 0's ``obj`` on every rank."""
    if info.world_size <= 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def _search(model: TrackerNet, batches: StepBatches, job: PruneJob, work: Path, info: DistInfo) -> dict:
    cfg = job.config
    trainer = search_trainer(model, partial(batches.batch, stream=0), cfg, RunFiles.stage(work, "search"), info)
    if job.resume:
        trainer.resume()
    trainer.fit()
    if cfg.search_steps == 0:
        return magnitude_importance(model, build_unit_map(model))
    return {k: v.abs() for k, v in mask_values(model).items()}


def _finetune(child: TrackerNet, teacher: TrackerNet, plan: PruningPlan, batches: StepBatches, job: PruneJob,
              work: Path, name: str, stream: int, info: DistInfo) -> list[dict[str, float]]:
    kept = plan.to_dict()["kept"]
    trainer = finetune_trainer(child, teacher, partial(batches.batch, stream=stream), job.config,
                               RunFiles.stage(work, name), info, name, extra={"plan": plan.to_dict()})
    if job.resume:
        trainer.resume(accept=lambda ckpt: ckpt.get("plan", {}).get("kept") == kept)
    return trainer.fit()["history"]


def _done(job: PruneJob, name: str, parent: str, budget: float) -> bool:
    card_path = job.out / f"{name}.json"
    if not (job.resume and card_path.exists() and (job.out / f"{name}.onnx").exists()):
        return False
    try:
        card = ModelCard.load(card_path)
    except ModelFileError:
        return False
    return card.parent == parent and card.budget == budget and card.pruning_plan is not None


def _latency_ms(path: Path, runs: int) -> float | None:
    if runs <= 0:
        return None
    from light_tracker_ros.backends import open_backend
    backend = open_backend(path, "onnxruntime", num_threads=1)
    t = np.zeros((1, 3, backend.card.template_size, backend.card.template_size), np.float32)
    s = np.zeros((1, 3, backend.card.search_size, backend.card.search_size), np.float32)
    for _ in range(3):
        backend.run(t, s)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        backend.run(t, s)
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def run(job: PruneJob, info: DistInfo) -> list[Path]:
    """Prune ``job.parent`` to every budget; return the written ``.onnx`` paths (on rank 0)."""
    cfg = job.config
    torch.set_num_threads(cfg.num_threads)
    torch.manual_seed(cfg.seed)
    model, parent_name = load_parent(job.parent, job.models_dir)
    if model.family != cfg.family:
        raise ConfigError(f"the config is for family '{cfg.family}' but parent {job.parent} is '{model.family}'; "
                          f"pass --config config/prune/{model.family}.yaml")
    teacher = copy.deepcopy(model).eval()
    card = parent_card(job.parent, job.models_dir)
    norm = Normalisation.of_card(card) if card else IMAGENET_RGB  # pairs are fed as the parent's card says
    pairs = _load_pairs(job, model.architecture)
    train_idx, val_idx = split_indices(len(pairs), cfg.val_size, cfg.seed)
    batches = StepBatches(pairs, train_idx, cfg.batch_size, cfg.seed, info.rank, cfg.augment, norm)
    work = job.work_dir / parent_name
    work.mkdir(parents=True, exist_ok=True)
    names = [child_name(parent_name, b) for b in job.budgets]
    pending = [(k, b, n) for k, (b, n) in enumerate(zip(job.budgets, names)) if not _done(job, n, parent_name, b)]
    if not pending:
        log.info("all %d children of %s exist; nothing to do", len(names), parent_name)
        return [job.out / f"{n}.onnx" for n in names]
    parent_metrics = validate(teacher, pairs, val_idx[:cfg.val_size], norm=norm) if info.is_main else {}
    importance = _search(model, batches, job, work, info)
    unit_map = build_unit_map(model)
    # weight magnitudes (no search) are not comparable across layers: threshold them per layer
    mode = "per_layer" if cfg.search_steps == 0 and cfg.budget_mode == "auto" else cfg.budget_mode
    for k, budget, name in pending:
        plan = None
        if info.is_main:
            plan = budget_plan(unit_map, importance, budget, mode, cfg.per_layer_below, cfg.min_units, parent_name,
                               cfg.unit_multiple)
            plan.save(work / f"{name}.plan.json")
        plan = PruningPlan.from_dict(_share(plan.to_dict() if plan else None, info))
        child = slice_model(model, plan)
        history = _finetune(child, teacher, plan, batches, job, work, name, k + 1, info)
        if info.is_main:
            _export(child, plan, job, name, parent_name, history, parent_metrics, pairs, val_idx, info, card)
        barrier(info)
    return [job.out / f"{n}.onnx" for n in names]


def _export(child: TrackerNet, plan: PruningPlan, job: PruneJob, name: str, parent: str, history: list[dict],
            parent_metrics: dict[str, float], pairs: PairArrays, val_idx: np.ndarray, info: DistInfo,
            source: ModelCard | None = None) -> None:
    cfg = job.config
    norm = Normalisation.of_card(source) if source else IMAGENET_RGB
    # the validation pairs come from the folders the parent trained on: "seen pairs", never called held-out
    metrics: dict[str, Any] = _seen_pairs(validate(child, pairs, val_idx[:cfg.val_size], norm=norm))
    metrics.update(_seen_pairs({k: v for k, v in parent_metrics.items() if k != "val_pairs"}, "parent_"))
    training = {"parent_source": portable_path(job.parent), "config": to_mapping(cfg), "world_size": info.world_size,
                "data": [portable_path(d) for d in job.data] or f"synthetic:{job.synthetic}",
                "kept_fraction": plan.kept_fraction,
                "budget_mode": plan.mode, "finetune_last": history[-1] if history else None, **job.extra}
    inherited = inherited_fields(source)
    if inherited.pop("sources", None):
        training["parent_sources"] = source.training["sources"]  # provenance of imported weights
    card = export_onnx(child.eval(), job.out, name, weight_storage=cfg.weight_storage, parent=parent,
                       prunable_params=prunable_param_count(child), budget=plan.budget, kept_units=plan.counts,
                       pruning_plan=plan.to_dict(), training=training, metrics=metrics, **inherited)
    latency = _latency_ms(job.out / f"{name}.onnx", cfg.latency_runs)  # logged only: cards get latencies from
    # 'light-tracker benchmark --write-cards' on an idle machine, not from a job that may share the cores
    log.info("%s: %d params (%.4f of prunable kept), seen-pairs IoU %s, %s ms at 1 thread", name, card.params,
             plan.kept_fraction, metrics.get("seen_pairs_iou"), latency)


def inherited_fields(card: ModelCard | None) -> dict[str, Any]:
    """
    Return what a child takes from its parent's card: crop factors, input normalisation, decoding, licence.

    The key ``sources`` is set when the parent's weights were imported (their provenance; cards of imported
    models list them under ``training.sources``).
    """
    if card is None:
        return {}
    fields = {"template_factor": card.template_factor, "search_factor": card.search_factor, "mean": card.mean,
              "std": card.std, "channel_order": card.channel_order, "decoding": card.decoding,
              "licence": card.licence}
    if card.training.get("sources"):
        fields["sources"] = card.training["sources"]
    return {k: v for k, v in fields.items() if v is not None}


def _seen_pairs(scores: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Rename ``validate``'s ``val_*`` keys to ``<prefix>seen_pairs_*`` (the count ``val_pairs`` to ``seen_pairs``)."""
    return {f"{prefix}seen_pairs" if k == "val_pairs" else f"{prefix}seen_pairs_{k.removeprefix('val_')}": v
            for k, v in scores.items()}
