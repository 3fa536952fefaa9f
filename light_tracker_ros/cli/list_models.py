# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``list_models``: print the installed models (or a folder's) as a Markdown table read from their cards."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, default_models_dir


def rows(folder: Path) -> list[str]:
    """Return one Markdown row per ``.onnx`` file with a readable card in ``folder``."""
    lines = ["| model | family | budget | parameters | MMACs | file MB | trained | held-out IoU |",
             "|---|---|---|---|---|---|---|---|"]
    for path in sorted(folder.glob("*.onnx")):
        try:
            card = ModelCard.load(path.with_suffix(".json"))
        except ModelFileError as exc:
            lines.append(f"| {path.stem} | unreadable card: {exc} | | | | | | |")
            continue
        training = card.training or {}
        trained = f"{training['minutes']} min, {training['steps']} steps" if training.get("steps") else "-"
        if card.parent:
            trained = f"fine-tuned from {card.parent}"
        iou = training.get("best_val_iou_heldout_composites", card.metrics.get("val_iou", "-"))
        budget = "parent" if card.budget is None else f"{card.budget:g}"
        lines.append(f"| `{card.name}` | {card.family} | {budget} | {card.params:,} | {card.macs / 1e6:.0f} | "
                     f"{path.stat().st_size / 1e6:.1f} | {trained} | {iou if isinstance(iou, str) else f'{iou:.3f}'} |")
    files = [p for p in folder.iterdir() if p.is_file()]
    total_mb = sum(p.stat().st_size for p in files) / 1e6
    lines.append(f"| all {len(files)} files of the folder | | | | | {total_mb:.1f} | | |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=None, help="models folder (default: installed)")
    args = parser.parse_args(argv)
    print("\n".join(rows(args.folder or default_models_dir())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
