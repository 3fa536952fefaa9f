# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``evaluate_tracker``: one-pass evaluation of our models and OpenCV peers on sequence folders or videos.

Example::

    evaluate_tracker --model cnn_parent,vit_parent --dataset ~/.cache/light_tracker_ros/validation
        --peers csrt,kcf,mil --threads 1 --latency-threads 1,2 --json runs/eval.json
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError, TrackerError
from light_tracker_ros.data.bag import load_bag
from light_tracker_ros.data.sequences import Sequence
from light_tracker_ros.evaluation.peers import parse_peers
from light_tracker_ros.evaluation.report import format_table, write_json
from light_tracker_ros.evaluation.runner import evaluate, measure_latency, model_entry, peer_entry

log = logging.getLogger("evaluate_tracker")


def split_list(values: list[str] | None) -> list[str]:
    """Flatten repeated and comma-separated option values: ``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def parse_threads(text: str | None) -> list[int]:
    """Turn ``"1,2"`` into ``[1, 2]``; raise ConfigError on anything but positive integers."""
    try:
        counts = [int(v) for v in split_list([text] if text else [])]
    except ValueError as exc:
        raise ConfigError(f"--latency-threads must be comma-separated integers, got {text!r}") from exc
    if any(c < 1 for c in counts):
        raise ConfigError(f"--latency-threads must be positive, got {text!r}")
    return counts


def load_sequences(datasets: list[str]) -> list[Sequence]:
    """Read every dataset folder (plain, GOT-10k, LaSOT or OTB layout); prefix names that collide."""
    from light_tracker_ros.data.readers import read_any

    sequences: list[Sequence] = []
    names: set[str] = set()
    for dataset in datasets:
        for sequence in read_any(dataset):
            if sequence.name in names:
                sequence.name = f"{Path(dataset).name}/{sequence.name}"
            names.add(sequence.name)
            sequences.append(sequence)
    return sequences


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="evaluate_tracker", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
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
    parser.add_argument("--peers", default="csrt,kcf,mil", help="OpenCV peers to run alongside, or 'none'")
    parser.add_argument("--threads", type=int, default=1, help="inference threads (models and OpenCV)")
    parser.add_argument("--latency-threads", default=None, metavar="N,M",
                        help="also time each tracker at these thread counts (latency only), e.g. 1,2")
    parser.add_argument("--latency-updates", type=int, default=50, help="updates timed per thread count")
    parser.add_argument("--backend", default="onnxruntime", choices=("onnxruntime", "torch"),
                        help="inference backend of our models")
    parser.add_argument("--models-dir", default=None,
                        help="folder to look model names up in; None means the installed models/")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the full report here")
    parser.add_argument("--max-frames", type=int, default=None, help="use only the first N frames of each sequence")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation, print the table, write the JSON report; return 0, or 2 on a clear error."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.threads < 1:
            raise ConfigError(f"--threads must be >= 1, got {args.threads}")
        if args.max_frames is not None and args.max_frames < 2:
            raise ConfigError(f"--max-frames must be >= 2 (one to initialise, one to score), got {args.max_frames}")
        config = TrackerConfig(backend=args.backend, num_threads=args.threads)
        entries = [model_entry(m, config, args.models_dir) for m in split_list(args.model)]
        entries += [peer_entry(p) for p in parse_peers(args.peers)]
        if not entries:
            raise ConfigError("nothing to evaluate: give --model and/or --peers")
        latency_threads = parse_threads(args.latency_threads)
        sequences = load_sequences(args.dataset)
        if args.bag:
            sequences.append(load_bag(args.bag, args.topic, args.groundtruth))
        if not sequences:
            raise ConfigError("nothing to evaluate on: give --dataset and/or --bag")
        result = evaluate(entries, sequences, args.threads, args.max_frames, progress=not args.no_progress)
        if latency_threads:
            result.latency = measure_latency(entries, sequences, latency_threads, args.latency_updates)
        result.settings.update(datasets=[str(Path(d).expanduser()) for d in args.dataset], backend=args.backend,
                               bag={"path": args.bag, "topic": args.topic} if args.bag else None,
                               peers=parse_peers(args.peers), latency_updates=args.latency_updates)
    except TrackerError as exc:
        print(f"evaluate_tracker: error: {exc}", file=sys.stderr)
        return 2
    print(format_table(result))
    if args.json:
        log.info("report written to %s", write_json(result, args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
