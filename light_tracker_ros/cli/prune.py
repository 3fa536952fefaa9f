# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
r"""
``prune_tracker``: prune a parent to one or more budgets (search, threshold, slice, fine-tune, export).

Example (one process, or under ``torchrun --nproc_per_node N -m light_tracker_ros.cli.prune ...``)::

    prune_tracker --parent models/cnn_parent.onnx --budget 0.25 --budget 0.1 --budget 0.01 \\
        --config config/prune/cnn.yaml --data pairs/composite-1 --out models/ --resume
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

from light_tracker_ros.core.config import from_mapping, load_yaml, to_mapping
from light_tracker_ros.core.errors import TrackerError
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.pruning.pipeline import PruneJob, run
from light_tracker_ros.training.distributed import cleanup, init_distributed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments."""
    p = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    p.add_argument("--parent", required=True,
                   help="parent .onnx (with its card) or model name in models/, a .pt checkpoint, or variant:NAME")
    p.add_argument("--budget", type=float, action="append", required=True,
                   help="kept fraction of the prunable parameters, e.g. 0.1 (repeat for several children)")
    p.add_argument("--config", type=Path, required=True, help="config/prune/<family>.yaml")
    p.add_argument("--out", type=Path, default=Path("models"), help="folder for <parent>_pNN.onnx and .json")
    p.add_argument("--data", action="append", default=[], help="pair folder written by build_pairs (repeatable)")
    p.add_argument("--synthetic", type=int, default=0, help="use N synthetic pairs instead of --data (smoke tests)")
    p.add_argument("--work-dir", type=Path, default=Path("checkpoints/prune"),
                   help="checkpoints and plans (default checkpoints/prune/<parent>/)")
    p.add_argument("--models-dir", help="where model names given to --parent are looked up")
    p.add_argument("--resume", action="store_true", help="skip finished children and resume unfinished stages")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the pruning job; errors of the package are reported in one line with exit code 2."""
    args = parse_args(argv)
    info = init_distributed()
    logging.basicConfig(level=logging.INFO if info.is_main else logging.WARNING,
                        format=f"[rank {info.rank}] %(message)s" if info.world_size > 1 else "%(message)s")
    log = logging.getLogger("prune_tracker")
    try:
        cfg = load_yaml(PruneConfig, args.config)
        overrides = {k: yaml.safe_load(v) for k, _, v in (s.partition("=") for s in args.set)}
        if overrides:
            cfg = from_mapping(PruneConfig, {**to_mapping(cfg), **overrides})
        job = PruneJob(args.parent, tuple(args.budget), cfg, args.out, args.work_dir, tuple(args.data),
                       args.synthetic, args.resume, args.models_dir)
        paths = run(job, info)
    except TrackerError as exc:
        log.error("prune_tracker: %s", exc)
        cleanup(info)
        return 2
    if info.is_main:
        log.info("wrote %s", ", ".join(str(p) for p in paths))
    cleanup(info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
