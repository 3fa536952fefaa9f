# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Benchmark: the imported NanoTrack (our Tracker, card decoding) against the authors' logic on the same frames.

Run from the repository root (needs the published files, which are not in git)::

    python test/unit/imports/bench_nanotrack.py --imported ~/.cache/light_tracker_ros/imported/nanotrack_v3.onnx \
        --backbone nanotrack_backbone.onnx --head nanotrack_head.onnx --version 3 --dataset <validation dir>
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3])]

from light_tracker_ros.core.config import TrackerConfig  # noqa: E402
from light_tracker_ros.data.readers import read_any  # noqa: E402
from light_tracker_ros.evaluation.runner import evaluate, model_entry, TrackerEntry  # noqa: E402, I101
from nanotrack_reference import NanoTrackReference  # noqa: E402, I100, I201


def main(argv: list[str] | None = None) -> int:
    """Print AUC per sequence and mean, and the median update time, for both trackers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--imported", required=True)
    parser.add_argument("--backbone", required=True)
    parser.add_argument("--head", required=True)
    parser.add_argument("--version", type=int, default=3)
    parser.add_argument("--dataset", action="append", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--score-threshold", type=float, default=0.3)
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    config = TrackerConfig(num_threads=args.threads, score_threshold=args.score_threshold)
    entries = [model_entry(args.imported, config),
               TrackerEntry("authors_logic", "reference", f"{args.backbone} + {args.head}",
                            lambda threads: NanoTrackReference(args.backbone, args.head, args.version, threads))]
    sequences = [s for d in args.dataset for s in read_any(d)]
    result = evaluate(entries, sequences, args.threads, progress=False)
    for entry in result.trackers:
        runs = result.runs[entry.name]
        aucs = {name: run.metrics.auc for name, run in runs.items()}
        times = np.concatenate([run.times_ms[np.isfinite(run.times_ms)] for run in runs.values()])
        print(f"{entry.name:>16}: " + "  ".join(f"{k} {v:.3f}" for k, v in aucs.items())
              + f"  mean {result.mean(entry.name).auc:.3f}  update median {np.median(times):.2f} ms"
              f" mean {times.mean():.2f} ms over {len(times)} updates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
