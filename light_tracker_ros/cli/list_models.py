# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker models``: print the installed models (or a folder's) as a Markdown table read from their cards.

Two IoU columns, never mixed: *held-out IoU* (parents) is the best mean IoU their training run reached on
held-out pairs (``metrics.heldout_iou``); *seen-pairs IoU* (pruned children) is the mean IoU after fine-tuning
on validation pairs drawn from the pair folders the parent trained on (``metrics.seen_pairs_iou``), so it is
not a held-out score. Older cards' keys (``training.best_val_iou_heldout_composites``, ``metrics.val_iou``) are
read as the same two quantities.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, default_models_dir

HEADER = ["model", "family", "budget", "parameters", "MMACs", "file MB", "trained", "held-out IoU", "seen-pairs IoU"]


def heldout_iou(card: ModelCard) -> float | None:
    """Return a parent's held-out IoU from its card (None for a child or when the run had no held-out pairs)."""
    if card.parent:
        return None
    value = card.metrics.get("heldout_iou", (card.training or {}).get("best_val_iou_heldout_composites"))
    return None if value is None else float(value)


def seen_pairs_iou(card: ModelCard) -> float | None:
    """Return a child's IoU on pairs from its parent's training folders (None for a parent)."""
    if not card.parent:
        return None
    value = card.metrics.get("seen_pairs_iou", card.metrics.get("val_iou"))
    return None if value is None else float(value)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def rows(folder: Path) -> list[str]:
    """Return one Markdown row per ``.onnx`` file with a readable card in ``folder``."""
    blank = " |" * (len(HEADER) - 2)
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for path in sorted(folder.glob("*.onnx")):
        try:
            card = ModelCard.load(path.with_suffix(".json"))
        except ModelFileError as exc:
            lines.append(f"| {path.stem} | unreadable card: {exc} |{blank}")
            continue
        training = card.training or {}
        trained = f"{training['minutes']} min, {training['steps']} steps" if training.get("steps") else "-"
        if card.parent:
            trained = f"fine-tuned from {card.parent}"
        budget = "parent" if card.budget is None else f"{card.budget:g}"
        lines.append(f"| `{card.name}` | {card.family} | {budget} | {card.params:,} | {card.macs / 1e6:.0f} | "
                     f"{path.stat().st_size / 1e6:.1f} | {trained} | {_cell(heldout_iou(card))} | "
                     f"{_cell(seen_pairs_iou(card))} |")
    files = [p for p in folder.iterdir() if p.is_file()]
    total_mb = sum(p.stat().st_size for p in files) / 1e6
    lines.append(f"| all {len(files)} files of the folder | | | | | {total_mb:.1f} | | | |")
    return lines


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker models``."""
    parser = common.subparser(subparsers, "models", __doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=None, help="models folder (default: installed)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the table."""
    print("\n".join(rows(args.folder or default_models_dir())))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker models`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
