# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker sample-clip``: make the sample camera's bundled clip (vtest.avi frames 576..650, half size, boxes).

The clip is an AVI in MPEG-4 part 2 (fourcc mp4v, about 400 KB; MJPG would be 1.9 MB at this size), which
every OpenCV build with FFmpeg decodes; ``--fourcc MJPG`` writes Motion JPEG instead. The boxes are the
vtest-ped1 ground truth (768x576 pixels, one line per frame from frame 576) scaled to the clip; the first one
initialises the tracker. Usage::

    light-tracker sample-clip --video .../vtest.avi --groundtruth shared/validation/vtest-ped1/groundtruth.txt
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import cv2

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.core.paths import data_dir, repo_root

DEFAULT_VIDEO = data_dir() / "raw/usr/share/doc/opencv-doc/examples/data/vtest.avi"
DEFAULT_GROUNDTRUTH = repo_root().parent / "shared/validation/vtest-ped1/groundtruth.txt"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "ros" / "data"


def read_boxes(path: Path, count: int, scale: float) -> list[list[float]]:
    """Read the first ``count`` ground-truth lines as [x, y, w, h] scaled by ``scale``."""
    lines = path.read_text().split()[:count]
    boxes = [[round(float(v) * scale, 2) for v in line.split(",")] for line in lines]
    if len(boxes) != count or any(v != v for box in boxes for v in box):
        raise DatasetError(f"{path}: need {count} annotated lines, got {len(boxes)} (or a NaN box)")
    return boxes


def make_clip(video: Path, groundtruth: Path, out_dir: Path, first: int, last: int, width: int, height: int,
              fourcc: str) -> dict:
    """Write ``out_dir/vtest_ped1.avi`` and ``vtest_ped1.json``; return the metadata."""
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise DatasetError(f"cannot open {video}")
    out_dir.mkdir(parents=True, exist_ok=True)
    clip = out_dir / "vtest_ped1.avi"
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    writer = cv2.VideoWriter(str(clip), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise DatasetError(f"OpenCV cannot write {fourcc} video here (needs OpenCV with FFmpeg)")
    index, written, source_size = 0, 0, None
    while index <= last:
        ok, frame = cap.read()  # frames are counted by sequential read(), as in the validation manifest
        if not ok:
            raise DatasetError(f"{video} ended at frame {index}, before {last}")
        if index >= first:
            source_size = frame.shape[1], frame.shape[0]
            writer.write(cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA))
            written += 1
        index += 1
    writer.release()
    scale = width / source_size[0]
    meta = {"clip": clip.name, "fourcc": fourcc,
            "source": "opencv-doc examples/data/vtest.avi (Debian bookworm 4.6.0+dfsg-12)",
            "source_frames": [first, last], "source_size": list(source_size), "size": [width, height],
            "fps": fps, "frames": written, "target": "vtest-ped1: woman with blond hair, dark coat and jeans",
            "box_format": "x, y, w, h in clip pixels, top-left corner, one per frame",
            "boxes": read_boxes(groundtruth, written, scale),
            "clip_sha256": hashlib.sha256(clip.read_bytes()).hexdigest()}
    text = json.dumps(meta, indent=1)
    for box in meta["boxes"]:  # one box per line
        text = text.replace(json.dumps(box, indent=1).replace("\n", "\n  "), json.dumps(box), 1)
    (out_dir / "vtest_ped1.json").write_text(text + "\n")
    return meta


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker sample-clip``."""
    parser = common.subparser(subparsers, "sample-clip", __doc__)
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--groundtruth", type=Path, default=DEFAULT_GROUNDTRUTH)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--first", type=int, default=576)
    parser.add_argument("--last", type=int, default=650)
    parser.add_argument("--width", type=int, default=384)
    parser.add_argument("--height", type=int, default=288)
    parser.add_argument("--fourcc", default="mp4v", help="video codec: mp4v (small) or MJPG")
    return parser


def run(args: argparse.Namespace) -> int:
    """Write the clip and its metadata; print what was written."""
    meta = make_clip(args.video, args.groundtruth, args.out_dir, args.first, args.last, args.width, args.height,
                     args.fourcc)
    size = (args.out_dir / meta["clip"]).stat().st_size
    print(f"wrote {args.out_dir / meta['clip']}: {meta['frames']} frames {meta['size']}, {size / 1024:.0f} KB; "
          f"first box {meta['boxes'][0]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker sample-clip`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
