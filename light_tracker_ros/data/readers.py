# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Readers for the GOT-10k, LaSOT and OTB folder layouts, yielding :class:`data.sequences.Sequence`.

Frames where the target is absent, fully occluded or out of view become NaN ground-truth rows, so pair
builders skip them and the evaluation does not score them. Boxes are pixel x, y, w, h (top-left corner).

- GOT-10k: ``root/{train,val}/list.txt`` and sequence folders ``GOT-10k_Train_000001/`` holding
  ``00000001.jpg``..., ``groundtruth.txt`` and optionally ``absence.label`` (one 0/1 per frame, 1 = absent).
  Test-split folders whose ``groundtruth.txt`` has only the first box get NaN for the other frames.
- LaSOT: ``root/<category>/<category>-<n>/img/*.jpg`` with ``groundtruth.txt``, ``full_occlusion.txt`` and
  ``out_of_view.txt`` (comma-separated 0/1 flags, 1 = not visible).
- OTB: ``root/<Name>/img/*.jpg`` with ``groundtruth_rect.txt`` (comma, tab or space separated); sequences with
  two targets have ``groundtruth_rect.1.txt`` and ``.2.txt`` and give ``<Name>_1`` and ``<Name>_2``.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.sequences import (GROUNDTRUTH, ImageFrames, Sequence, image_files, load_dataset,
                                              natural_key, read_groundtruth)

LOG = logging.getLogger(__name__)
GOT10K_SPLITS = ("train", "val")
# OTB sequences whose annotation starts after image 1 (from the OTB toolkit's sequence table)
OTB_START_FRAMES = {"David": 300, "BlurCar1": 247, "BlurCar3": 3, "BlurCar4": 18}


def read_flags(path: Path, count: int) -> np.ndarray:
    """
    Read ``count`` 0/1 flags separated by commas, spaces or newlines into a bool array.

    :raises DatasetError: the file is unreadable, not numeric, or has another number of flags.
    """
    try:
        values = [int(float(v)) for v in re.split(r"[,\s]+", path.read_text().strip()) if v]
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read flags from {path}: {exc}") from exc
    if len(values) != count:
        raise DatasetError(f"{path} has {len(values)} flags but the sequence has {count} frames")
    return np.asarray(values, dtype=bool)


def _masked(gt: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    gt = gt.copy()
    gt[hidden] = np.nan
    return gt


def _subfolders(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir()), key=natural_key) if root.is_dir() else []


def _selected(folders: list[Path], names: Iterable[str] | None) -> list[Path]:
    wanted = set(names) if names is not None else None
    return [f for f in folders if wanted is None or f.name in wanted]


def got10k_sequence(folder: Path) -> Sequence:
    """One GOT-10k sequence folder (absent frames as NaN rows)."""
    frames = image_files(folder)
    gt = read_groundtruth(folder / GROUNDTRUTH)
    if len(gt) == 1 and len(frames) > 1:  # test split: only the first box is public
        gt = np.vstack([gt, np.full((len(frames) - 1, 4), np.nan)])
    if len(gt) != len(frames):
        raise DatasetError(f"{folder / GROUNDTRUTH} has {len(gt)} lines but {folder} has {len(frames)} frames")
    absence = folder / "absence.label"
    if absence.is_file():
        gt = _masked(gt, read_flags(absence, len(gt)))
    return Sequence(folder.name, ImageFrames(frames), gt, folder)


def read_got10k(root: str | Path, splits: Iterable[str] = GOT10K_SPLITS,
                names: Iterable[str] | None = None) -> Iterator[Sequence]:
    """Yield GOT-10k sequences from the dataset root (its ``splits``), one split folder, or one sequence."""
    root = Path(root)
    if (root / GROUNDTRUTH).is_file():
        yield got10k_sequence(root)
        return
    split_dirs = [root / s for s in splits if (root / s).is_dir()] if not (root / "list.txt").is_file() else [root]
    if not split_dirs:
        raise DatasetError(f"{root} is not a GOT-10k folder: expected list.txt or {'/'.join(splits)} subfolders")
    for split in split_dirs:
        listing = split / "list.txt"
        if listing.is_file():
            folders = [split / line.strip() for line in listing.read_text().splitlines() if line.strip()]
        else:
            folders = [f for f in _subfolders(split) if (f / GROUNDTRUTH).is_file()]
        for folder in _selected(folders, names):
            if not (folder / GROUNDTRUTH).is_file():
                raise DatasetError(f"GOT-10k sequence {folder} (listed in {listing}) has no {GROUNDTRUTH}")
            yield got10k_sequence(folder)


def lasot_sequence(folder: Path) -> Sequence:
    """One LaSOT sequence folder (fully occluded or out-of-view frames as NaN rows)."""
    frames = image_files(folder)
    gt = read_groundtruth(folder / GROUNDTRUTH)
    if len(gt) != len(frames):
        raise DatasetError(f"{folder / GROUNDTRUTH} has {len(gt)} lines but {folder} has {len(frames)} frames")
    hidden = np.zeros(len(gt), dtype=bool)
    for flag_file in ("full_occlusion.txt", "out_of_view.txt"):
        if (folder / flag_file).is_file():
            hidden |= read_flags(folder / flag_file, len(gt))
    return Sequence(folder.name, ImageFrames(frames), _masked(gt, hidden), folder)


def read_lasot(root: str | Path, names: Iterable[str] | None = None) -> Iterator[Sequence]:
    """Yield LaSOT sequences from the dataset root, one category folder, or one sequence folder."""
    root = Path(root)
    if (root / GROUNDTRUTH).is_file():
        yield lasot_sequence(root)
        return
    children = _subfolders(root)
    folders = [c for c in children if (c / GROUNDTRUTH).is_file()]
    if not folders:
        folders = [s for c in children for s in _subfolders(c) if (s / GROUNDTRUTH).is_file()]
    if not folders:
        raise DatasetError(f"{root} is not a LaSOT folder: expected <category>/<category>-<n>/{GROUNDTRUTH}")
    for folder in _selected(folders, names):
        yield lasot_sequence(folder)


def _otb_annotations(folder: Path) -> list[Path]:
    return sorted(folder.glob("groundtruth_rect*.txt"), key=natural_key)


def otb_sequences(folder: Path) -> list[Sequence]:
    """Read the sequence(s) of one OTB folder: one per ``groundtruth_rect*.txt``."""
    frames = image_files(folder)
    annotations = _otb_annotations(folder)
    if not annotations:
        raise DatasetError(f"OTB sequence {folder} has no groundtruth_rect.txt")
    start = OTB_START_FRAMES.get(folder.name, 1)
    sequences = []
    for annotation in annotations:
        gt = read_groundtruth(annotation)
        chosen = frames[start - 1:start - 1 + len(gt)]
        if len(chosen) != len(gt):
            raise DatasetError(f"{annotation} has {len(gt)} lines but {folder} has only {len(frames)} frames "
                               f"(annotation starts at image {start})")
        if len(frames) != len(gt):
            LOG.info("OTB %s: using images %d..%d of %d for %s", folder.name, start, start + len(gt) - 1,
                     len(frames), annotation.name)
        target = re.fullmatch(r"groundtruth_rect\.?(.*)\.txt", annotation.name).group(1)
        name = f"{folder.name}_{target}" if target and len(annotations) > 1 else folder.name
        sequences.append(Sequence(name, ImageFrames(chosen), gt, folder))
    return sequences


def read_otb(root: str | Path, names: Iterable[str] | None = None) -> Iterator[Sequence]:
    """Yield OTB sequences from the dataset root or from one sequence folder."""
    root = Path(root)
    folders = [root] if _otb_annotations(root) else [c for c in _subfolders(root) if _otb_annotations(c)]
    if not folders:
        raise DatasetError(f"{root} is not an OTB folder: expected <Name>/groundtruth_rect.txt and <Name>/img/")
    for folder in _selected(folders, names):
        yield from otb_sequences(folder)


def detect_layout(root: str | Path) -> str:
    """Name the layout of ``root``: 'otb', 'got10k', 'lasot' or 'plain' (see data.sequences)."""
    root = Path(root).expanduser()
    if not root.exists():
        raise DatasetError(f"dataset {root} does not exist")
    if root.is_file():
        return "plain"
    children = _subfolders(root)
    if _otb_annotations(root) or any(_otb_annotations(c) for c in children):
        return "otb"
    if (root / "list.txt").is_file() or (root / "absence.label").is_file():
        return "got10k"
    if any((root / split / "list.txt").is_file() for split in ("train", "val", "test")):
        return "got10k"
    if any((c / "absence.label").is_file() for c in children):
        return "got10k"
    lasot_markers = ("full_occlusion.txt", "out_of_view.txt")
    if any((root / m).is_file() for m in lasot_markers) or any(
            (s / m).is_file() for c in children for s in [c, *_subfolders(c)] for m in lasot_markers):
        return "lasot"
    return "plain"


def read_any(root: str | Path) -> list[Sequence]:
    """
    All sequences under ``root``, whatever its layout (GOT-10k, LaSOT, OTB or plain sequence folders).

    :raises DatasetError: the folder does not exist, holds no sequence, or a sequence is inconsistent.
    """
    layout = detect_layout(root)
    LOG.debug("dataset %s: %s layout", root, layout)
    readers = {"otb": read_otb, "got10k": read_got10k, "lasot": read_lasot}
    if layout == "plain":
        return load_dataset(root)
    return list(readers[layout](Path(root).expanduser()))
