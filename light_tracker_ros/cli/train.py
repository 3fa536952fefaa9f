# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker train``: train a model variant on pair folders from a YAML config (single process or torchrun).

Under DDP: ``torchrun --nproc_per_node N -m light_tracker_ros.cli.train --config ...`` (gloo on CPU).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker train``."""
    parser = common.subparser(subparsers, "train", __doc__)
    common.add_config_options(parser, "config/train/cnn.yaml")
    parser.add_argument("--run-dir", type=Path, help="checkpoint folder (default <data_dir>/runs/<name>)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Train with the config's ``num_threads`` torch threads; print steps, minutes and the best validation IoU."""
    from light_tracker_ros.training.config import TrainConfig
    cfg = common.load_config(TrainConfig, args)  # a bad config or --set fails here, before the run starts
    from light_tracker_ros.training.distributed import cleanup, init_distributed
    from light_tracker_ros.training.run import train
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    common.set_torch_threads(cfg.num_threads)
    state = train(cfg, args.run_dir)
    info = init_distributed()
    if info.is_main:
        print(f"{cfg.name}: {state['step']} steps in {state['minutes']:.1f} min, "
              f"best val IoU {state['best_val_iou']:.3f}")
    cleanup(info)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker train`` alone (also under ``torchrun -m``)."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
