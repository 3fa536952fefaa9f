# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker validation``: build ``<data_dir>/validation/`` from annotation manifests and the cached source video.

A manifest folder holds ``manifest.json`` and one ``<name>/groundtruth.txt`` per sequence. For each entry this
writes ``<out>/<name>/sequence.json`` (source video and start frame) and ``groundtruth.txt``, after checking
the line and annotation counts and that this machine decodes the video to the frames the annotations were
made on (``decode_check`` mean pixel values within 2 grey levels).
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.core.model_card import file_sha256
from light_tracker_ros.core.paths import data_dir, repo_root
from light_tracker_ros.data.sequences import GROUNDTRUTH, SEQUENCE_JSON, VideoFrames, read_groundtruth

log = logging.getLogger("build_validation")
MAX_MEAN_DIFFERENCE = 2.0


def installed_manifest_dir() -> Path | None:
    """Return the installed ``share/light_tracker_ros/config/validation`` when ament finds it, else None."""
    try:
        from ament_index_python.packages import get_package_share_directory
        return Path(get_package_share_directory("light_tracker_ros")) / "config" / "validation"
    except Exception:  # noqa: BLE001 - ament index absent or package not installed
        return None


def default_manifest_dirs() -> list[Path]:
    """
    List the manifest folders that exist: ``shared/validation`` next to the repository, then ``config/validation``.

    Outside a checkout (an installed package) the installed ``config/validation`` takes the place of the latter.

    :raises DatasetError: none of them holds a manifest.
    """
    own = repo_root() / "config" / "validation"
    if not (own / "manifest.json").is_file():
        own = installed_manifest_dir() or own
    dirs = [d for d in (repo_root().parent / "shared" / "validation", own) if (d / "manifest.json").is_file()]
    if not dirs:
        raise DatasetError(f"no validation manifest found (looked in {repo_root().parent / 'shared' / 'validation'} "
                           f"and {own}); pass --shared")
    return dirs


def load_manifest(folder: Path) -> dict[str, Any]:
    """Read ``folder/manifest.json``; raise DatasetError when it is missing or has no sequences."""
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read validation manifest {path}: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sequences"), list):
        raise DatasetError(f"validation manifest {path} has no 'sequences' list")
    return manifest


def source_video(entry: dict[str, Any], video: Path | None) -> Path:
    """Find the video of a manifest entry: ``video`` if its file name matches, else ``<data_dir>/raw/<path>``."""
    if video is not None and video.name == entry.get("source_video"):
        return video
    inside = entry.get("source", {}).get("path_in_package")
    candidate = data_dir() / "raw" / inside if inside else None
    if candidate is None or not candidate.is_file():
        raise DatasetError(f"sequence {entry['name']}: source video {entry.get('source_video')} not found at "
                           f"{candidate}; run 'light-tracker data' or pass --video")
    return candidate


def frame_means(video: Path, indices: list[int]) -> dict[int, float]:
    """Mean pixel value (BGR, all channels) of the given decoded frames, read as the evaluation reads them."""
    first, last = min(indices), max(indices)
    means = {}
    for offset, frame in enumerate(VideoFrames(video, first, last - first + 1)):
        if first + offset in indices:
            means[first + offset] = float(np.mean(frame))
    return means


def check_decode(entry: dict[str, Any], video: Path) -> None:
    """Compare decoded frame means with the manifest's ``decode_check``; raise DatasetError if misaligned."""
    expected = {int(m.group(1)): float(v) for k, v in entry.get("decode_check", {}).items()
                if (m := re.fullmatch(r"frame_(\d+)_mean", k))}
    if not expected:
        log.warning("sequence %s has no decode_check: frame alignment not verified", entry["name"])
        return
    measured = frame_means(video, sorted(expected))
    for index, mean in expected.items():
        if abs(measured[index] - mean) > MAX_MEAN_DIFFERENCE:
            raise DatasetError(
                f"sequence {entry['name']}: decoded frame {index} of {video} has mean {measured[index]:.3f}, the "
                f"manifest says {mean:.3f} (difference > {MAX_MEAN_DIFFERENCE}): this decoder is misaligned with "
                f"the reference (OpenCV {cv2.__version__} here); the annotations would not match the frames")


def check_groundtruth(entry: dict[str, Any], gt: np.ndarray, path: Path) -> None:
    """Check the line count against ``n_frames`` and the annotated rows against ``n_annotated``."""
    if "n_frames" in entry and len(gt) != entry["n_frames"]:
        raise DatasetError(f"{path} has {len(gt)} lines but the manifest says n_frames={entry['n_frames']}")
    annotated = int(np.isfinite(gt).all(1).sum())
    wanted = entry.get("annotation", {}).get("n_annotated")
    if wanted is not None and annotated != wanted:
        raise DatasetError(f"{path} has {annotated} annotated lines but the manifest says n_annotated={wanted}")


def build_entry(entry: dict[str, Any], manifest_dir: Path, video: Path, out: Path) -> Path:
    """Write one validation sequence folder after all checks pass; return it."""
    gt_path = manifest_dir / entry["name"] / GROUNDTRUTH
    gt = read_groundtruth(gt_path)
    check_groundtruth(entry, gt, gt_path)
    expected_sha = entry.get("source", {}).get("video_sha256")
    if expected_sha and file_sha256(video) != expected_sha:
        log.warning("%s differs from the manifest's video (sha256); relying on the decode check", video)
    check_decode(entry, video)
    folder = out / entry["name"]
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(gt_path, folder / GROUNDTRUTH)
    spec = {"video": str(video.resolve()), "start_frame": int(entry.get("start_frame", 0))}
    (folder / SEQUENCE_JSON).write_text(json.dumps(spec, indent=1) + "\n")
    return folder


def build(manifest_dirs: list[Path], out: Path, video: Path | None = None) -> list[Path]:
    """
    Build every sequence of every manifest into ``out``; copy each manifest beside them for provenance.

    :raises DatasetError: a check fails, or two manifests hold a sequence of the same name.
    """
    built: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    for manifest_dir in manifest_dirs:
        manifest = load_manifest(manifest_dir)
        for entry in manifest["sequences"]:
            if any(p.name == entry["name"] for p in built):
                raise DatasetError(f"sequence {entry['name']} of {manifest_dir} is also in an earlier manifest")
            built.append(build_entry(entry, manifest_dir, source_video(entry, video), out))
            log.info("built %s (%d frames from %s)", built[-1], entry.get("n_frames", -1), entry.get("source_video"))
        shutil.copyfile(manifest_dir / "manifest.json", out / f"manifest-{manifest_dir.parent.name}.json")
    return built


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker validation``."""
    parser = common.subparser(subparsers, "validation", __doc__)
    parser.add_argument("--shared", type=Path, action="append", default=None,
                        help="manifest folder(s) (default: shared/validation next to the repository, plus "
                             "config/validation when present)")
    parser.add_argument("--video", type=Path, default=None, help="source video to use instead of the cached one")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <data_dir>/validation)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Build the validation set and print its folders; a failed check raises DatasetError (exit 2)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cv2.setNumThreads(1)
    built = build(args.shared or default_manifest_dirs(), args.out or data_dir() / "validation", args.video)
    print("\n".join(str(p) for p in built))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker validation`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
