# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``benchmark_pruned``: are pruned children really smaller and faster? Parents and children measured in one run.

For every child card (one with a ``parent``) in ``--models``: its ONNX parameter count against budget x the
parent's prunable parameters + the parent's unpruned rest, and its per-frame latency at 1 thread with ONNX
Runtime against its parent's (median of ``--runs`` timed runs, models interleaved round by round).
``--from-variants`` first builds random-initialised parents of the named variants and prunes them per layer by
weight magnitude to ``--budgets`` (latency and size do not depend on training, so this works before any parent
is trained).
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

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


def main(argv: list[str] | None = None) -> int:
    """Print the size and speed table."""
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--models", type=Path, help="folder of parents and children (.onnx + .json)")
    parser.add_argument("--from-variants", nargs="+", metavar="VARIANT", help="build random parents and children")
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.5, 0.25, 0.1, 0.05, 0.01])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    folder = args.models
    if args.from_variants:
        folder = Path(tempfile.mkdtemp(prefix="benchmark_pruned_")) if folder is None else folder
        build_children(args.from_variants, args.budgets, folder)
    if folder is None:
        parser.error("give --models DIR or --from-variants VARIANT ...")
    cards = {p.stem: ModelCard.load(p) for p in sorted(folder.glob("*.json")) if p.with_suffix(".onnx").exists()}
    children = [c for c in cards.values() if c.parent and c.budget is not None and c.parent in cards]
    if not children:
        print(f"no child with its parent in {folder}")
        return 1
    names = sorted({c.parent for c in children} | {c.name for c in children})
    ms = time_models({n: folder / f"{n}.onnx" for n in names}, args.runs)
    header = (f"{'model':<24}{'budget':>8}{'onnx params':>13}{'predicted':>12}{'ratio':>8}"
              f"{'ms parent':>11}{'ms child':>10}{'speed-up':>10}")
    print(f"ONNX Runtime, 1 thread, median of {args.runs} runs, models interleaved; predicted = budget x prunable "
          "+ rest of the parent")
    print(header)
    print("-" * len(header))
    for c in sorted(children, key=lambda c: (c.parent, -c.budget)):
        predicted = predicted_params(c, cards[c.parent])
        count = onnx_param_count(folder / f"{c.name}.onnx")
        print(f"{c.name:<24}{c.budget:>8g}{count:>13d}{predicted:>12.0f}{count / predicted:>8.3f}"
              f"{ms[c.parent]:>11.2f}{ms[c.name]:>10.2f}{ms[c.parent] / ms[c.name]:>9.1f}x")
    for p in sorted({c.parent for c in children}):
        print(f"parent {p}: {onnx_param_count(folder / f'{p}.onnx')} ONNX params, {ms[p]:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
