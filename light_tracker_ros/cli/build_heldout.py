# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``light-tracker heldout``: write held-out composite sequences (held-out cut-outs) as sequence folders."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.paths import data_dir
from light_tracker_ros.data.sequences import write_sequence
from light_tracker_ros.training.sources import Assets
from light_tracker_ros.training.synthesis import SceneConfig, composite_sequence


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker heldout``."""
    parser = common.subparser(subparsers, "heldout", __doc__)
    parser.add_argument("--out", type=Path, default=data_dir() / "validation-composites")
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--length", type=int, default=80)
    parser.add_argument("--seed", type=int, default=1000)
    return parser


def run(args: argparse.Namespace) -> int:
    """Write ``--count`` sequences of ``--length`` frames under ``--out``."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    assets = Assets.load(data_dir() / "raw", split="heldout")
    cfg = SceneConfig(video_prob=0.0)
    for i in range(args.count):
        frames, boxes = composite_sequence(assets, args.length, args.seed + i, cfg)
        write_sequence(args.out / f"composite-{i + 1:02d}", frames, boxes, ext=".jpg")
        logging.info("wrote %s", args.out / f"composite-{i + 1:02d}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker heldout`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
