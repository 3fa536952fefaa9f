# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker pairs``: write training pairs (template crop, search crop, box) from real data into the cache.

Composites of real cut-outs over real photos and video frames by default; with ``--sequences DIR``, pairs
from a GOT-10k, LaSOT or OTB folder (or our own sequence folders) instead.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.core.paths import data_dir
from light_tracker_ros.training.sources import Assets
from light_tracker_ros.training.synthesis import composite_pairs

log = logging.getLogger("build_pairs")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker pairs``."""
    parser = common.subparser(subparsers, "pairs", __doc__)
    parser.add_argument("--out", type=Path, required=True, help="output folder (e.g. $LIGHT_TRACKER_DATA/pairs/x)")
    parser.add_argument("--count", type=int, default=20000, help="number of pairs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("train", "heldout"), default="train",
                        help="which cut-outs to use (held-out cut-outs never appear in training pairs)")
    parser.add_argument("--sequences", type=Path, help="make pairs from real annotated sequences in this folder")
    parser.add_argument("--video-cycles", action="store_true",
                        help="make real pairs from the training videos, labelled by cycle-consistent tracking")
    parser.add_argument("--max-gap", type=int, default=20, help="largest frame gap of a real-sequence pair")
    parser.add_argument("--template-size", type=int, default=64)
    parser.add_argument("--search-size", type=int, default=128)
    parser.add_argument("--data-dir", type=Path, default=data_dir())
    return parser


def run(args: argparse.Namespace) -> int:
    """Build one folder of pairs."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.sequences:
        from light_tracker_ros.training.sequence_pairs import sequence_pairs
        pairs = sequence_pairs(args.sequences, args.count, args.seed, args.max_gap, args.template_size,
                               args.search_size)
    elif args.video_cycles:
        from light_tracker_ros.training.video_pairs import cycle_pairs
        assets = Assets.load(args.data_dir / "raw")
        pairs = cycle_pairs(assets.videos, args.count, args.seed, template_size=args.template_size,
                            search_size=args.search_size)
    else:
        assets = Assets.load(args.data_dir / "raw", split=args.split)
        if not assets.cutouts or not assets.photos:
            raise DatasetError(f"no cut-outs or photos under {args.data_dir / 'raw'}: run 'light-tracker data' first")
        pairs = composite_pairs(assets, args.count, args.seed, template_size=args.template_size,
                                search_size=args.search_size)
    pairs.save(args.out)
    log.info("wrote %d pairs to %s (mean box size %.3f of the search crop)", len(pairs), args.out,
             float(np.sqrt(pairs.boxes[:, 2] * pairs.boxes[:, 3]).mean()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker pairs`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
