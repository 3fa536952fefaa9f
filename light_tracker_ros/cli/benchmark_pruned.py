# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker benchmark``: are pruned children really smaller and faster? Parents and children in one run.

For every child card (one with a ``parent``) in ``--models``: its ONNX parameter count against budget x the
parent's prunable parameters + the parent's unpruned rest, and its per-frame latency at ``--threads`` (1) with
ONNX Runtime against its parent's (median of ``--runs`` timed runs, models interleaved round by round).
``--from-variants`` first builds random-initialised parents of the named variants and prunes them per layer by
weight magnitude to ``--budgets`` (latency and size do not depend on training, so this works before any parent
is trained).

Cards carry a latency only when asked: ``--write-cards`` writes ``metrics.latency_ms_<N>thread_onnxruntime`` and
``metrics.latency_measured`` (runs, threads, load average, CPUs) into each timed model's card, and refuses to
when the 1-minute load average is above ``--max-load`` (default 0.5: an idle machine).
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.core.model_card import ModelCard

BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


def onnx_param_count(path: Path) -> int:
    """Elements of the floating-point initializers that are parameters (batch-norm statistics excluded)."""
    import onnx
    from onnx import TensorProto
    floats = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16}
    from light_tracker_ros.models.weight_storage import HALF_SUFFIX
    return sum(int(np.prod(t.dims)) for t in onnx.load(str(path)).graph.initializer
               if t.data_type in floats and not t.name.removesuffix(HALF_SUFFIX).endswith(BUFFERS))


def build_children(variants: list[str], budgets: list[float], out: Path) -> None:
    """Export random-initialised parents of ``variants`` and their magnitude-pruned children to ``out``."""
    import torch
    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.pruning.budget import budget_plan, magnitude_importance
    from light_tracker_ros.pruning.parents import load_parent
    from light_tracker_ros.pruning.pipeline import child_name
    from light_tracker_ros.pruning.slicing import replay_plan
    from light_tracker_ros.pruning.units import build_unit_map, prunable_param_count
    torch.manual_seed(0)
    for variant in variants:
        parent, name = load_parent(f"variant:{variant}")
        export_onnx(parent, out, name, prunable_params=prunable_param_count(parent))
        unit_map = build_unit_map(parent)
        importance = magnitude_importance(parent, unit_map)
        for budget in budgets:
            plan = budget_plan(unit_map, importance, budget, "per_layer", parent=name)
            export_onnx(replay_plan(parent, plan), out, child_name(name, budget), parent=name, budget=budget,
                        kept_units=plan.counts, pruning_plan=plan.to_dict())


def time_models(paths: dict[str, Path], runs: int, threads: int = 1) -> dict[str, float]:
    """Median ms per inference of each model, the models taking turns round by round."""
    from light_tracker_ros.backends import open_backend
    backends = {n: open_backend(p, "onnxruntime", threads) for n, p in paths.items()}
    inputs = {n: (np.random.rand(1, 3, b.card.template_size, b.card.template_size).astype(np.float32),
                  np.random.rand(1, 3, b.card.search_size, b.card.search_size).astype(np.float32))
              for n, b in backends.items()}
    times: dict[str, list[float]] = {n: [] for n in backends}
    for round_ in range(runs + 3):
        for n, b in backends.items():
            t0 = time.perf_counter()
            b.run(*inputs[n])
            if round_ >= 3:
                times[n].append((time.perf_counter() - t0) * 1e3)
    return {n: float(np.median(t)) for n, t in times.items()}


def predicted_params(child: ModelCard, parent: ModelCard) -> float:
    """
    Budget x the parent's prunable parameters + its unpruned rest.

    Taken from the child's pruning plan (the parent's unit map when it was pruned) where there is one, else
    from the parent's card.
    """
    plan = child.pruning_plan or {}
    if plan.get("prunable_params") and "rest_params" in plan:
        return child.budget * plan["prunable_params"] + plan["rest_params"]
    return child.budget * parent.prunable_params + (parent.params - parent.prunable_params)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker benchmark``."""
    parser = common.subparser(subparsers, "benchmark", __doc__)
    parser.add_argument("--models", type=Path, help="folder of parents and children (.onnx + .json)")
    parser.add_argument("--from-variants", nargs="+", metavar="VARIANT", help="build random parents and children")
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.5, 0.25, 0.1, 0.05, 0.01])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per model")
    common.add_threads_option(parser, "ONNX Runtime threads of the timed runs")
    parser.add_argument("--write-cards", action="store_true",
                        help="write the measured latency into the timed models' cards (idle machine only)")
    parser.add_argument("--max-load", type=float, default=0.5,
                        help="--write-cards refuses above this 1-minute load average (default 0.5)")
    return parser


def write_latencies(folder: Path, ms: dict[str, float], runs: int, threads: int, load: tuple[float, float]) -> None:
    """Record each model's median latency, with how it was measured, in its card."""
    key = f"latency_ms_{threads}thread_onnxruntime"
    how = {"by": "light-tracker benchmark", "runs": runs, "threads": threads, "cpus": os.cpu_count(),
           "load_average_1min_before": round(load[0], 2), "load_average_1min_after": round(load[1], 2)}
    for name, value in ms.items():
        card = ModelCard.load(folder / f"{name}.json")
        dataclasses.replace(card, metrics={**card.metrics, key: round(value, 3), "latency_measured": how}).save(
            folder / f"{name}.json")


def run(args: argparse.Namespace) -> int:
    """Print the size and speed table; 1 when the folder holds no child with its parent."""
    logging.basicConfig(level=logging.WARNING)
    common.check_threads(args.threads)
    load_before = os.getloadavg()[0]
    if args.write_cards and load_before > args.max_load:
        raise ConfigError(f"the 1-minute load average is {load_before:.2f} (> --max-load {args.max_load}): "
                          "latencies measured now would not be an idle machine's; cards left unchanged")
    folder = args.models
    if args.from_variants:
        common.set_torch_threads(args.threads)
        folder = Path(tempfile.mkdtemp(prefix="benchmark_pruned_")) if folder is None else folder
        build_children(args.from_variants, args.budgets, folder)
    if folder is None:
        raise ConfigError("give --models DIR or --from-variants VARIANT ...")
    cards = {p.stem: ModelCard.load(p) for p in sorted(folder.glob("*.json")) if p.with_suffix(".onnx").exists()}
    children = [c for c in cards.values() if c.parent and c.budget is not None and c.parent in cards]
    if not children:
        print(f"no child with its parent in {folder}")
        return 1
    names = sorted({c.parent for c in children} | {c.name for c in children})
    ms = time_models({n: folder / f"{n}.onnx" for n in names}, args.runs, args.threads)
    header = (f"{'model':<24}{'budget':>8}{'onnx params':>13}{'predicted':>12}{'ratio':>8}"
              f"{'ms parent':>11}{'ms child':>10}{'speed-up':>10}")
    print(f"ONNX Runtime, {args.threads} thread{'s' if args.threads > 1 else ''}, median of {args.runs} runs, "
          "models interleaved; predicted = budget x prunable + rest of the parent")
    print(header)
    print("-" * len(header))
    for c in sorted(children, key=lambda c: (c.parent, -c.budget)):
        predicted = predicted_params(c, cards[c.parent])
        count = onnx_param_count(folder / f"{c.name}.onnx")
        print(f"{c.name:<24}{c.budget:>8g}{count:>13d}{predicted:>12.0f}{count / predicted:>8.3f}"
              f"{ms[c.parent]:>11.2f}{ms[c.name]:>10.2f}{ms[c.parent] / ms[c.name]:>9.1f}x")
    for p in sorted({c.parent for c in children}):
        print(f"parent {p}: {onnx_param_count(folder / f'{p}.onnx')} ONNX params, {ms[p]:.2f} ms")
    if args.write_cards:
        write_latencies(folder, ms, args.runs, args.threads, (load_before, os.getloadavg()[0]))
        print(f"latencies written to {len(ms)} cards in {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker benchmark`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
