# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``export_tracker``: turn a training checkpoint into ``models/<name>.onnx`` + ``<name>.json`` (model card)."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.pruning.parents import load_checkpoint
from light_tracker_ros.pruning.units import prunable_param_count


def checkpoint_summary(ckpt: dict) -> dict:
    """Training facts for the card: steps, minutes, data, best validation IoU, config."""
    state = ckpt.get("state", {})
    config = state.get("config", {})
    return {"steps": state.get("step"), "minutes": round(float(state.get("minutes", 0.0)), 1),
            "best_val_iou_heldout_composites": round(float(state.get("best_val_iou", -1.0)), 4),
            "data": config.get("pairs"), "data_history": state.get("data_history", []),
            "batch_size": config.get("batch_size"), "lr": config.get("lr"),
            "threads": config.get("num_threads"), "pretrained_weights": None,
            "recipe": "from scratch on composites of tuxpaint cut-outs over wallpapers/photos/video frames "
                      "plus cycle-consistent real video pairs (see README)"}


def main(argv: list[str] | None = None) -> int:
    """Export one checkpoint."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", type=Path, required=True, help="best.pt or last.pt of a training run")
    parser.add_argument("--name", required=True, help="model name (file stem in --out)")
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--weight-storage", default="float32", choices=("float32", "float16"),
                        help="float16 halves the file (arithmetic stays float32)")
    parser.add_argument("--curves-dir", type=Path, default=Path("docs/training"),
                        help="where to copy the run's curves.png (as <name>_curves.png)")
    args = parser.parse_args(argv)
    try:
        model, ckpt = load_checkpoint(args.checkpoint)
    except ModelFileError as exc:
        print(f"export_tracker: error: {exc}", file=sys.stderr)
        return 2
    card = export_onnx(model, args.out, args.name, args.weight_storage, training=checkpoint_summary(ckpt),
                       prunable_params=prunable_param_count(model))
    curves = args.checkpoint.parent / "curves.png"
    if curves.exists():
        args.curves_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(curves, args.curves_dir / f"{args.name}_curves.png")
    print(json.dumps({"name": card.name, "params": card.params, "macs": card.macs, "training": card.training}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
