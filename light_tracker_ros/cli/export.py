# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker export``: turn a training checkpoint into ``<out>/<name>.onnx`` + ``<name>.json`` (model card).

The card's provenance comes from the checkpoint: the run's own resolved config (``training.config``, paths
relative to ``$LIGHT_TRACKER_DATA``, the working directory or ``~``), steps, minutes, data history and the
checkpoint file; ``metrics.heldout_iou`` is the best IoU the run reached on its held-out ``val_pairs``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker export``."""
    parser = common.subparser(subparsers, "export", __doc__)
    parser.add_argument("--checkpoint", type=Path, required=True, help="best.pt or last.pt of a training run")
    parser.add_argument("--name", required=True, help="model name (file stem in --out)")
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--weight-storage", default="float32", choices=("float32", "float16"),
                        help="float16 halves the file (arithmetic stays float32)")
    parser.add_argument("--curves-dir", type=Path, default=Path("docs/training"),
                        help="where to copy the run's curves.png (as <name>_curves.png)")
    common.add_threads_option(parser, "torch threads of the export")
    return parser


def run(args: argparse.Namespace) -> int:
    """Export one checkpoint; print the card's name, size and training facts as JSON."""
    common.set_torch_threads(args.threads)
    card = common.export_checkpoint(args.checkpoint.expanduser(), args.out, args.name, args.weight_storage)
    curves = args.checkpoint.expanduser().parent / "curves.png"
    if curves.exists():
        args.curves_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(curves, args.curves_dir / f"{args.name}_curves.png")
    print(json.dumps({"name": card.name, "params": card.params, "macs": card.macs, "metrics": card.metrics,
                      "training": card.training}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker export`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
