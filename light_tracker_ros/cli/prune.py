# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
r"""
``light-tracker prune``: prune a parent to one or more budgets (search, threshold, slice, fine-tune, export).

Example (one process, or under ``torchrun --nproc_per_node N -m light_tracker_ros.cli.prune ...``)::

    light-tracker prune --parent models/cnn_parent.onnx --budget 0.25 --budget 0.1 --budget 0.01 \\
        --config config/prune/cnn.yaml --data pairs/composite-1 --out models/ --resume

The children's cards record the run's resolved config and the pair folders relative to ``$LIGHT_TRACKER_DATA``;
``metrics.seen_pairs_iou`` is measured on validation pairs from those folders, which the parent trained on.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker prune``."""
    p = common.subparser(subparsers, "prune", __doc__)
    p.add_argument("--parent", required=True,
                   help="parent .onnx (with its card) or model name in models/, a .pt checkpoint, or variant:NAME")
    p.add_argument("--budget", type=float, action="append", required=True,
                   help="kept fraction of the prunable parameters, e.g. 0.1 (repeat for several children)")
    common.add_config_options(p, "config/prune/cnn.yaml")
    p.add_argument("--out", type=Path, default=Path("models"), help="folder for <parent>_pNN.onnx and .json")
    p.add_argument("--data", action="append", default=[], help="pair folder written by 'pairs' (repeatable)")
    p.add_argument("--synthetic", type=int, default=0, help="use N synthetic pairs instead of --data (smoke tests)")
    p.add_argument("--work-dir", type=Path, default=Path("checkpoints/prune"),
                   help="checkpoints and plans (default checkpoints/prune/<parent>/)")
    common.add_models_dir_option(p)
    p.add_argument("--resume", action="store_true", help="skip finished children and resume unfinished stages")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the pruning job with the config's ``num_threads`` torch threads (every rank under torchrun)."""
    from light_tracker_ros.pruning.config import PruneConfig
    from light_tracker_ros.pruning.pipeline import PruneJob, run as run_job
    from light_tracker_ros.training.distributed import cleanup, init_distributed
    info = init_distributed()
    logging.basicConfig(level=logging.INFO if info.is_main else logging.WARNING,
                        format=f"[rank {info.rank}] %(message)s" if info.world_size > 1 else "%(message)s")
    try:
        cfg = common.load_config(PruneConfig, args)
        common.set_torch_threads(cfg.num_threads)
        job = PruneJob(args.parent, tuple(args.budget), cfg, args.out, args.work_dir, tuple(args.data),
                       args.synthetic, args.resume, tuple(args.models_dirs) or None)
        paths = run_job(job, info)
        if info.is_main:
            logging.getLogger("prune").info("wrote %s", ", ".join(str(p) for p in paths))
    finally:
        cleanup(info)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker prune`` alone (also under ``torchrun -m``)."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
