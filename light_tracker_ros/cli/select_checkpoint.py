# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
r"""
``light-tracker select``: pick a training run's snapshot by one-pass success AUC on real video, and export it.

Held-out composite IoU (what training validates on) ranks checkpoints poorly for real video, so a run with
``snapshot_every`` keeps snapshots and this command exports each to a scratch folder, runs it over the
given sequences in one evaluation run, prints the table, and ships the best (highest mean AUC; the later step
on a tie) as ``--out/--name``: the very file that was scored. The card's ``training.selection`` records every
candidate's scores and the datasets used.

Example::

    light-tracker select --run ~/.cache/light_tracker_ros/runs/hybrid_parent \
        --dataset ~/.cache/light_tracker_ros/validation --name hybrid_parent --out models
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.core.paths import portable_path
from light_tracker_ros.evaluation.runner import evaluate, model_entry

log = logging.getLogger("select_checkpoint")


def candidates(run_dir: Path, include: list[str]) -> list[Path]:
    """Snapshots of a run (``snapshots/*.pt``, in step order) plus the named extra checkpoints that exist."""
    found = sorted((run_dir / "snapshots").glob("*.pt"))
    found += [run_dir / name for name in include if (run_dir / name).exists()]
    if not found:
        raise ConfigError(f"no snapshots in {run_dir / 'snapshots'} (train with snapshot_every > 0) and none of "
                          f"{include} in {run_dir}")
    return found


def export_candidates(paths: list[Path], scratch: Path, weight_storage: str) -> list[ModelCard]:
    """Export every candidate to ``scratch`` as ``candidate<i>`` (card with its training summary), as it will ship."""
    return [common.export_checkpoint(path, scratch, f"candidate{i}", weight_storage) for i, path in enumerate(paths)]


def score_candidates(paths: list[Path], cards: list[ModelCard], scratch: Path, datasets: list[str], threads: int,
                     max_frames: int | None, progress: bool = True) -> list[dict[str, Any]]:
    """Evaluate the exported candidates in one run (one decode per frame); one record per candidate."""
    config = TrackerConfig(num_threads=threads)
    entries = [model_entry(str(scratch / f"{card.name}.onnx"), config) for card in cards]
    result = evaluate(entries, common.load_sequences(datasets), threads, max_frames, progress=progress)
    records = []
    for path, card, entry in zip(paths, cards, entries):
        mean = result.mean(entry.name)
        records.append({"checkpoint": portable_path(path), "step": card.training.get("steps"),
                        "auc": round(float(mean.auc), 4), "precision20": round(float(mean.precision_20), 4),
                        "per_sequence": {s: round(float(r.metrics.auc), 4)
                                         for s, r in result.runs[entry.name].items()}})
        log.info("%s: step %s, mean AUC %.3f", path.name, records[-1]["step"], mean.auc)
    return records


def best_record(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Highest mean AUC; on a tie the later step (more training)."""
    return max(records, key=lambda r: (r["auc"], r["step"] or 0))


def ship(onnx_path: Path, card: ModelCard, out: Path, name: str, selection: dict[str, Any]) -> ModelCard:
    """Copy the scored file itself to ``out/name.onnx`` (same bytes, same SHA-256) with its card and the selection."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(onnx_path, out / f"{name}.onnx")
    card = dataclasses.replace(card, name=name, training={**card.training, "selection": selection})
    card.save(out / f"{name}.json")
    return card


def format_records(records: list[dict[str, Any]], chosen: dict[str, Any]) -> str:
    """Plain table: checkpoint, step, mean AUC, P@20, per-sequence AUC, and a mark on the chosen one."""
    names = sorted({s for r in records for s in r["per_sequence"]})
    lines = [f"{'checkpoint':<22}{'step':>7}{'AUC':>8}{'P@20':>8}  " + "  ".join(names)]
    for r in records:
        per = "  ".join(f"{r['per_sequence'].get(s, float('nan')):.3f}".rjust(len(s)) for s in names)
        mark = "  <- selected" if r is chosen else ""
        lines.append(f"{Path(r['checkpoint']).name:<22}{r['step'] or 0:>7}{r['auc']:>8.3f}{r['precision20']:>8.3f}"
                     f"  {per}{mark}")
    return "\n".join(lines)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker select``."""
    parser = common.subparser(subparsers, "select", __doc__)
    parser.add_argument("--run", type=Path, required=True, help="training run folder (with snapshots/)")
    parser.add_argument("--dataset", action="append", required=True, metavar="DIR",
                        help="real-video sequences to select on (as for 'evaluate'); repeatable")
    parser.add_argument("--name", required=True, help="name of the exported model")
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--weight-storage", default="float32", choices=("float32", "float16"),
                        help="float16 halves the file (arithmetic stays float32)")
    parser.add_argument("--include", default="best.pt,last.pt", help="extra checkpoints of the run to consider")
    common.add_threads_option(parser, "CPU threads of the export and the evaluation")
    parser.add_argument("--max-frames", type=int, default=None, help="use only the first N frames of each sequence")
    parser.add_argument("--json", type=Path, default=None, help="also write the records here")
    parser.add_argument("--curves-dir", type=Path, default=Path("docs/training"),
                        help="where to copy the run's curves.png (as <name>_curves.png)")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def run(args: argparse.Namespace) -> int:
    """Score the run's snapshots, print the table, export the best."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    common.set_torch_threads(args.threads)
    paths = candidates(args.run.expanduser(), [s for s in args.include.split(",") if s])
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        cards = export_candidates(paths, scratch, args.weight_storage)
        records = score_candidates(paths, cards, scratch, args.dataset, args.threads, args.max_frames,
                                   not args.no_progress)
        chosen = best_record(records)
        scored = cards[records.index(chosen)]
        selection = {"by": "mean one-pass success AUC", "datasets": [portable_path(d) for d in args.dataset],
                     "chosen": Path(chosen["checkpoint"]).name, "candidates": records}
        card = ship(scratch / f"{scored.name}.onnx", scored, args.out, args.name, selection)
    print(format_records(records, chosen))
    print(f"exported {Path(chosen['checkpoint']).name} (step {chosen['step']}) as {args.out / card.name}.onnx")
    curves = args.run.expanduser() / "curves.png"
    if curves.exists():
        args.curves_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(curves, args.curves_dir / f"{args.name}_curves.png")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"chosen": chosen, "candidates": records}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker select`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
