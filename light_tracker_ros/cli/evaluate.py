# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
r"""
``light-tracker evaluate``: one-pass evaluation of our models and OpenCV peers on sequence folders or videos.

Example::

    light-tracker evaluate --model cnn_parent,transformer_parent --dataset ~/.cache/light_tracker_ros/validation \
        --peers csrt,kcf,mil --threads 1 --latency-threads 1,2 --json runs/eval.json
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.core.paths import portable_path
from light_tracker_ros.data.bag import load_bag
from light_tracker_ros.evaluation.peers import PEER_FILES, parse_peers
from light_tracker_ros.evaluation.report import format_table, write_json
from light_tracker_ros.evaluation.runner import evaluate, measure_latency, model_entry, peer_entry

log = logging.getLogger("evaluate_tracker")


def parse_threads(text: str | None) -> list[int]:
    """Turn ``"1,2"`` into ``[1, 2]``; raise ConfigError on anything but positive integers."""
    try:
        counts = [int(v) for v in common.split_list([text] if text else [])]
    except ValueError as exc:
        raise ConfigError(f"--latency-threads must be comma-separated integers, got {text!r}") from exc
    if any(c < 1 for c in counts):
        raise ConfigError(f"--latency-threads must be positive, got {text!r}")
    return counts


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker evaluate``."""
    parser = common.subparser(subparsers, "evaluate", __doc__)
    parser.add_argument("--model", action="append", default=[], metavar="NAME_OR_PATH",
                        help="model name in models/ or path to a .onnx file; repeat or comma-separate for several")
    parser.add_argument("--dataset", action="append", default=[], metavar="DIR",
                        help="sequence folder, folder of sequences, video with groundtruth.txt, or a GOT-10k, "
                             "LaSOT or OTB root; repeatable")
    parser.add_argument("--bag", default=None, metavar="PATH",
                        help="rosbag2 recording (folder, .db3 or .mcap) whose --topic images form one sequence")
    parser.add_argument("--topic", default="/camera/image_raw", help="image topic of --bag (Image or CompressedImage)")
    parser.add_argument("--groundtruth", default=None, metavar="FILE",
                        help="boxes of --bag, one 'x,y,w,h' line per image (fewer lines: the rest is unscored); "
                             "default: groundtruth.txt in the bag folder")
    parser.add_argument("--peers", default="csrt,kcf,mil", help="OpenCV peers to run alongside (csrt, kcf, mil, "
                        "nanotrack, vittrack), or 'none'")
    for kind, keys in PEER_FILES.items():  # model files of the nanotrack and vittrack peers
        for key, (option, variable) in keys.items():
            parser.add_argument(option, dest=f"{kind}_{key}", default=None, metavar="ONNX",
                                help=f"{kind} peer's {key} file (default: ${variable})")
    common.add_threads_option(parser, "inference threads (models and OpenCV)")
    parser.add_argument("--latency-threads", default=None, metavar="N,M",
                        help="also time each tracker at these thread counts (latency only), e.g. 1,2")
    parser.add_argument("--latency-updates", type=int, default=50, help="updates timed per thread count")
    common.add_backend_option(parser)
    common.add_models_dir_option(parser)
    common.add_set_option(parser, "override a tracker setting (core.config.TrackerConfig), e.g. "
                                  "window_influence=0.3; repeatable")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the full report here")
    parser.add_argument("--jitter", type=float, default=0.0, metavar="PX",
                        help="also run each tracker from start boxes shifted by +-PX pixels in x and y (4 more runs) "
                             "and report the mean AUC over the 5 starts with its spread")
    parser.add_argument("--max-frames", type=int, default=None, help="use only the first N frames of each sequence")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the evaluation, print the table, write the JSON report."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    common.check_threads(args.threads)
    if args.max_frames is not None and args.max_frames < 2:
        raise ConfigError(f"--max-frames must be >= 2 (one to initialise, one to score), got {args.max_frames}")
    config = common.apply_overrides(TrackerConfig(backend=args.backend, num_threads=args.threads), args.overrides)
    if config.backend == "torch":
        common.set_torch_threads(config.num_threads)
    entries = [model_entry(m, config, args.models_dirs) for m in common.split_list(args.model)]
    entries += [peer_entry(p, {k: getattr(args, f"{p}_{k}") for k in PEER_FILES.get(p, {})})
                for p in parse_peers(args.peers)]
    if not entries:
        raise ConfigError("nothing to evaluate: give --model and/or --peers")
    latency_threads = parse_threads(args.latency_threads)
    sequences = common.load_sequences(args.dataset)
    if args.bag:
        sequences.append(load_bag(args.bag, args.topic, args.groundtruth))
    if not sequences:
        raise ConfigError("nothing to evaluate on: give --dataset and/or --bag")
    result = evaluate(entries, sequences, args.threads, args.max_frames, progress=not args.no_progress,
                      jitter=args.jitter)
    if latency_threads:
        result.latency = measure_latency(entries, sequences, latency_threads, args.latency_updates)
    result.settings.update(datasets=[portable_path(d) for d in args.dataset], backend=config.backend,
                           bag={"path": portable_path(args.bag), "topic": args.topic} if args.bag else None,
                           peers=parse_peers(args.peers), latency_updates=args.latency_updates)
    print(format_table(result))
    if args.json:
        log.info("report written to %s", write_json(result, args.json))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker evaluate`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
