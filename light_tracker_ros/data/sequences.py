# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Sequences on disk: frames (lazily decoded, BGR uint8) plus one ground-truth box per frame.

Three layouts are read, each a folder holding ``groundtruth.txt`` (one ``x,y,w,h`` line per frame in pixels,
top-left corner, comma or whitespace separated; ``nan,nan,nan,nan`` = not annotated):

(a) frames ``*.jpg`` / ``*.png`` in the folder or in its ``img/`` subfolder, in natural sort order;
(b) one video file in the folder (frame i = i-th decoded frame);
(c) ``sequence.json`` ``{"video": path, "start_frame": int}`` (a relative path is relative to the folder):
    frame i = frame ``start_frame + i`` counted by sequential ``cv2.VideoCapture`` reads.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence as SequenceType

import cv2
import numpy as np

from light_tracker_ros.core.errors import DatasetError

LOG = logging.getLogger(__name__)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
VIDEO_SUFFIXES = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg")
GROUNDTRUTH = "groundtruth.txt"
SEQUENCE_JSON = "sequence.json"


def natural_key(path: Path) -> list:
    """Sort key that orders ``img2.jpg`` before ``img10.jpg``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def read_groundtruth(path: str | Path) -> np.ndarray:
    """
    Read an (N, 4) float64 array of pixel x, y, w, h from a comma/tab/space separated text file.

    :raises DatasetError: the file is missing or a line does not hold four numbers.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read ground truth {path}: {exc}") from exc
    while lines and not lines[-1].strip():
        lines.pop()
    rows = []
    for number, line in enumerate(lines, start=1):
        fields = [f for f in re.split(r"[,\s]+", line.strip()) if f]
        try:
            values = [float(f) for f in fields]
        except ValueError:
            values = []
        if len(values) != 4:
            raise DatasetError(f"{path}, line {number}: expected 4 numbers 'x,y,w,h', got {line.strip()!r}")
        rows.append(values)
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


def write_groundtruth(path: str | Path, boxes: np.ndarray) -> None:
    """Write (N, 4) pixel x, y, w, h boxes, one ``x,y,w,h`` line each (NaN rows as ``nan,nan,nan,nan``)."""
    lines = [",".join("nan" if not np.isfinite(v) else f"{v:.3f}".rstrip("0").rstrip(".") for v in row)
             for row in np.asarray(boxes, dtype=np.float64).reshape(-1, 4)]
    Path(path).write_text("".join(line + "\n" for line in lines))


class ImageFrames:
    """Frames stored as image files, read on demand."""

    def __init__(self, paths: SequenceType[Path]) -> None:
        self.paths = list(paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[np.ndarray]:
        for path in self.paths:
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None:
                raise DatasetError(f"cannot read image {path}: missing, truncated or not an image")
            yield frame

    def describe(self) -> str:
        """Where the frames come from."""
        return str(self.paths[0].parent) if self.paths else "no frames"


class ArrayFrames:
    """Frames already in memory (for generated or composite sequences)."""

    def __init__(self, frames: SequenceType[np.ndarray]) -> None:
        self.frames = list(frames)

    def __len__(self) -> int:
        return len(self.frames)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(self.frames)

    def describe(self) -> str:
        """Where the frames come from."""
        return f"{len(self.frames)} frames in memory"


class VideoFrames:
    """``count`` frames of a video starting at decoded frame ``start_frame``, read sequentially."""

    def __init__(self, path: Path, start_frame: int = 0, count: int = 0) -> None:
        self.path = Path(path)
        self.start_frame = start_frame
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[np.ndarray]:
        capture = open_video(self.path)
        try:
            for index in range(self.start_frame + self.count):
                ok, frame = (capture.grab(), None) if index < self.start_frame else capture.read()
                if not ok:
                    raise DatasetError(f"video {self.path} ended at frame {index}, but the sequence needs frames "
                                       f"{self.start_frame}..{self.start_frame + self.count - 1}")
                if frame is not None:
                    yield frame
        finally:
            capture.release()

    def describe(self) -> str:
        """Where the frames come from."""
        return f"{self.path} [{self.start_frame}:{self.start_frame + self.count}]"


def open_video(path: Path) -> cv2.VideoCapture:
    """Open a video for sequential reading; raise DatasetError when OpenCV cannot decode it."""
    if not Path(path).is_file():
        raise DatasetError(f"video {path} does not exist")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise DatasetError(f"video {path} is unreadable: OpenCV cannot open it (unknown codec or corrupt file)")
    return capture


def video_frame_count(path: Path) -> int:
    """Frame count reported by the container (0 when unknown; may be approximate for some formats)."""
    capture = open_video(path)
    try:
        return max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
    finally:
        capture.release()


@dataclass
class Sequence:
    """A named sequence: lazily decoded BGR uint8 frames and (N, 4) ground truth (NaN rows = not scored)."""

    name: str
    frames: ImageFrames | VideoFrames | ArrayFrames
    groundtruth: np.ndarray
    path: Path | None = None

    def __post_init__(self) -> None:
        """Check that there is one ground-truth row per frame."""
        self.groundtruth = np.asarray(self.groundtruth, dtype=np.float64).reshape(-1, 4)
        if len(self.frames) != len(self.groundtruth):
            raise DatasetError(f"sequence '{self.name}' ({self.frames.describe()}): {len(self.frames)} frames but "
                               f"{len(self.groundtruth)} ground-truth lines; they must match one to one")

    def __len__(self) -> int:
        return len(self.groundtruth)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(self.frames)


def image_files(folder: Path) -> list[Path]:
    """Image files of a sequence folder (or of its ``img/`` subfolder), naturally sorted."""
    for candidate in (folder / "img", folder):
        files = [p for p in candidate.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
        if files:
            return sorted(files, key=natural_key)
    return []


def _video_in(folder: Path) -> Path | None:
    videos = sorted(p for p in folder.glob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file())
    if len(videos) > 1:
        raise DatasetError(f"{folder} holds several videos {[v.name for v in videos]}: put each video with its "
                           f"{GROUNDTRUTH} in its own folder, or name one in {SEQUENCE_JSON}")
    return videos[0] if videos else None


def _from_sequence_json(folder: Path, gt: np.ndarray) -> VideoFrames:
    spec_path = folder / SEQUENCE_JSON
    try:
        spec = json.loads(spec_path.read_text())
        video = Path(spec["video"]).expanduser()
        start = int(spec.get("start_frame", 0))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f'{spec_path} must be JSON like {{"video": "path", "start_frame": 0}}: '  # noqa: Q000
                           f"{exc}") from exc
    if start < 0:
        raise DatasetError(f"{spec_path}: start_frame must be >= 0, got {start}")
    video = video if video.is_absolute() else folder / video
    total = video_frame_count(video)
    if total and total < start + len(gt):
        raise DatasetError(f"{spec_path}: video {video} has {total} frames, fewer than start_frame {start} + "
                           f"{len(gt)} ground-truth lines")
    return VideoFrames(video, start, len(gt))


def load_sequence(path: str | Path, name: str | None = None) -> Sequence:
    """
    Read one sequence from a folder (layouts a, b, c) or from a video file with ``groundtruth.txt`` beside it.

    :raises DatasetError: missing ground truth, unreadable video, or frames and lines that do not match.
    """
    path = Path(path).expanduser()
    if path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES:
        folder, video = path.parent, path
    elif path.is_dir():
        folder, video = path, None
    else:
        raise DatasetError(f"sequence {path} does not exist or is neither a folder nor a video file")
    gt_path = folder / GROUNDTRUTH
    if not gt_path.is_file():
        raise DatasetError(f"sequence {path} has no ground truth: expected {gt_path} (one 'x,y,w,h' line per frame)")
    gt = read_groundtruth(gt_path)
    name = name or (video.stem if video is not None else folder.name)
    if video is None and (folder / SEQUENCE_JSON).is_file():
        return Sequence(name, _from_sequence_json(folder, gt), gt, folder)
    images = image_files(folder) if video is None else []
    if images:
        return Sequence(name, ImageFrames(images), gt, folder)
    video = video or _video_in(folder)
    if video is None:
        raise DatasetError(f"sequence {folder} has {GROUNDTRUTH} but no frames: expected *.jpg/*.png (or img/*), "
                           f"a video file, or {SEQUENCE_JSON}")
    total = video_frame_count(video)
    if total and total < len(gt):
        raise DatasetError(f"video {video} has {total} frames but {gt_path} has {len(gt)} lines; they must match")
    if total > len(gt):
        LOG.warning("video %s has %d frames, %s only %d lines: using the first %d", video, total, gt_path, len(gt),
                    len(gt))
    return Sequence(name, VideoFrames(video, 0, len(gt)), gt, folder)


def is_sequence_folder(folder: Path) -> bool:
    """Tell whether ``folder`` holds a ``groundtruth.txt``."""
    return (folder / GROUNDTRUTH).is_file()


def load_dataset(root: str | Path) -> list[Sequence]:
    """
    All sequences of a dataset folder (each subfolder with a ``groundtruth.txt``), or the folder itself.

    :raises DatasetError: the folder does not exist or holds no sequence.
    """
    root = Path(root).expanduser()
    if root.is_file() or is_sequence_folder(root):
        return [load_sequence(root)]
    if not root.is_dir():
        raise DatasetError(f"dataset {root} does not exist")
    folders = sorted((p for p in root.iterdir() if p.is_dir() and is_sequence_folder(p)), key=natural_key)
    if not folders:
        raise DatasetError(f"dataset {root} holds no sequence: expected subfolders with {GROUNDTRUTH}")
    return [load_sequence(folder) for folder in folders]


def write_sequence(folder: str | Path, frames: Iterable[np.ndarray], boxes: np.ndarray, ext: str = ".png",
                   quality: int = 95) -> Path:
    """
    Write frames as ``00000001<ext>``... plus ``groundtruth.txt`` (pixel x, y, w, h); return the folder.

    Use ``.png`` for exact pixels (tests), ``.jpg`` (with ``quality``) for compact held-out composites.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if ext.lower() in (".jpg", ".jpeg") else []
    for count, frame in enumerate(frames, start=1):
        target = folder / f"{count:08d}{ext}"
        if not cv2.imwrite(str(target), frame, params):
            raise DatasetError(f"cannot write frame {target}")
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if count != len(boxes):
        raise DatasetError(f"write_sequence({folder}): {count} frames but {len(boxes)} boxes")
    write_groundtruth(folder / GROUNDTRUTH, boxes)
    return folder
