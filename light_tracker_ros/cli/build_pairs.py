# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker pairs``: write training pairs (template crop, search crop, box) from real data into the cache.

Composites of real cut-outs over real photos and video frames by default; with ``--sequences DIR``, pairs
from a GOT-10k, LaSOT or OTB folder (or our own sequence folders) instead; with ``--video-cycles``, pairs from the
training videos labelled by cycle-consistent tracking (CSRT, or ``--teacher MODEL``), with ``labels.json`` (the
labeller, the yield, the filter) and ``tracks.json`` (the kept trajectories) beside them.
"""
from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--teacher", metavar="MODEL",
                        help="with --video-cycles: label with this model (name or .onnx path) instead of CSRT")
    parser.add_argument("--teacher-min-score", type=float, default=0.5,
                        help="with --teacher: drop a trajectory when the teacher's peak score falls under this")
    parser.add_argument("--from-tracks", type=Path, metavar="TRACKS_JSON",
                        help="with --video-cycles: crop pairs from the trajectories of an earlier run (its "
                             "tracks.json) instead of tracking again, e.g. the same labels at another crop size")
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
        pairs = _video_cycles(args)
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


def _video_cycles(args: argparse.Namespace) -> Any:
    """Pairs from the training videos, labelled by CSRT or a teacher; writes labels.json and tracks.json."""
    import cv2

    from light_tracker_ros.training.sources import read_video, video_paths
    from light_tracker_ros.training.video_pairs import CycleConfig, Trajectory, cycle_pairs, track_pairs
    paths = video_paths(args.data_dir / "raw")
    if not paths:
        raise DatasetError(f"no training videos under {args.data_dir / 'raw'}: run 'light-tracker data' first")
    cv2.setNumThreads(1)
    videos = [read_video(p) for p in paths]
    if args.from_tracks:
        meta = _read_json(args.from_tracks.parent / "labels.json")
        try:
            tracks = [Trajectory.from_dict(t) for t in _read_json(args.from_tracks)["tracks"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{args.from_tracks} is not a tracks.json of 'light-tracker pairs --video-cycles' "
                               f"({type(exc).__name__}: {exc})") from exc
        pairs = track_pairs(videos, tracks, args.count, args.seed, int(meta["config"]["pairs_per_track"]),
                            args.template_size, args.search_size)
        meta.update(pairs=len(pairs), tracks_from=str(args.from_tracks), seed=args.seed,
                    template_size=args.template_size, search_size=args.search_size)
        _write_labels(args.out, meta, None)
        return pairs
    follower, cfg = None, None
    if args.teacher:
        from light_tracker_ros.runtime import ModelSpec, create_tracker
        from light_tracker_ros.training.video_pairs import TrackerFollower
        spec = ModelSpec(args.teacher, num_threads=1, allow_paths=True)
        follower = TrackerFollower(create_tracker(spec), args.teacher_min_score)
        cfg = CycleConfig()
    result = cycle_pairs(videos, args.count, args.seed, follower, cfg, template_size=args.template_size,
                         search_size=args.search_size)
    meta = result.meta()
    meta.update(videos=[p.name for p in paths], seed=args.seed, template_size=args.template_size,
                search_size=args.search_size)
    if follower is not None:
        card = follower.tracker.card
        meta.update(teacher=args.teacher, teacher_sha256=card.onnx_sha256, teacher_min_score=args.teacher_min_score)
    _write_labels(args.out, meta, [t.as_dict() for t in result.tracks])
    log.info("%s kept %d of %d trajectories (%.0f%%) in %.0f s; dropped: %s", result.labeller, len(result.tracks),
             result.attempted, 100 * meta["yield"], result.seconds, result.dropped)
    return result.pairs


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read {path} ({exc}); 'light-tracker pairs --video-cycles' writes it") from exc


def _write_labels(out: Path, meta: dict[str, Any], tracks: list[dict[str, Any]] | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "labels.json").write_text(json.dumps(meta, indent=1) + "\n")
    if tracks is not None:
        (out / "tracks.json").write_text(json.dumps({"tracks": tracks}) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker pairs`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
