# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Pairs from annotated sequences: a tiny GOT-10k-layout folder written here, through build_pairs' function."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.pairs import PairArrays
from light_tracker_ros.training.sequence_pairs import sequence_pairs

RED = (30, 30, 230)  # BGR


def _got10k(root: Path, frames: int = 8, absent: int = 3) -> Path:
    """
    Write ``root/train`` with two sequences of a red square moving over grey noise.

    Frame ``absent`` of the first sequence has no square and is flagged in ``absence.label``.
    """
    names = ["GOT-10k_Train_000001", "GOT-10k_Train_000002"]
    (root / "train").mkdir(parents=True)
    (root / "train" / "list.txt").write_text("\n".join(names) + "\n")
    rng = np.random.default_rng(0)
    for s, name in enumerate(names):
        folder = root / "train" / name
        folder.mkdir()
        lines, flags = [], []
        for i in range(frames):
            frame = rng.integers(90, 150, (120, 160, 3), dtype=np.uint8)
            x, y, side = 40 + 4 * i, 30 + 2 * i + 10 * s, 24
            hidden = s == 0 and i == absent
            if not hidden:
                frame[y:y + side, x:x + side] = RED
            cv2.imwrite(str(folder / f"{i + 1:08d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
            lines.append(f"{x},{y},{side},{side}")
            flags.append("1" if hidden else "0")
        (folder / "groundtruth.txt").write_text("\n".join(lines) + "\n")
        (folder / "absence.label").write_text("\n".join(flags) + "\n")
    return root


def _is_red(pixel: np.ndarray) -> bool:
    return pixel[2] > 180 and pixel[0] < 90 and pixel[1] < 90


def test_pairs_from_a_got10k_folder_put_the_box_on_the_target(tmp_path) -> None:
    """
    Every pair's template centre and box centre in the search crop land on the red square.

    Absent frames (no square) are never used; the folder round-trips through PairArrays.
    """
    root = _got10k(tmp_path / "got10k")
    pairs = sequence_pairs(root, 40, seed=1, max_gap=3, template_size=32, search_size=64, progress=False)
    assert len(pairs) == 40 and pairs.templates.shape == (40, 32, 32, 3) and pairs.searches.shape == (40, 64, 64, 3)
    assert np.all((pairs.boxes[:, :2] > 0.03) & (pairs.boxes[:, :2] < 0.97))
    # a 24 px square in a search crop 4x the (jittered) box side: about a quarter of the crop
    assert np.all((pairs.boxes[:, 2:] > 0.15) & (pairs.boxes[:, 2:] < 0.4))
    for template, search, box in zip(pairs.templates, pairs.searches, pairs.boxes):
        assert _is_red(template[16, 16])
        assert _is_red(search[int(box[1] * 64), int(box[0] * 64)])
    pairs.save(tmp_path / "pairs")
    again = PairArrays.load(tmp_path / "pairs")
    assert np.array_equal(again.searches, pairs.searches) and np.allclose(again.boxes, pairs.boxes)
    same = sequence_pairs(root, 40, seed=1, max_gap=3, template_size=32, search_size=64, progress=False)
    assert np.array_equal(same.searches, pairs.searches)  # seeded


def test_build_pairs_sequences_option_writes_the_folder(tmp_path) -> None:
    """``build_pairs --sequences`` (it used to import a module that did not exist) writes a loadable folder."""
    from light_tracker_ros.cli import build_pairs
    root = _got10k(tmp_path / "got10k")
    code = build_pairs.main(["--sequences", str(root), "--out", str(tmp_path / "out"), "--count", "12",
                             "--template-size", "32", "--search-size", "64", "--max-gap", "2"])
    assert code == 0
    assert len(PairArrays.load(tmp_path / "out")) == 12


def test_a_folder_without_two_annotated_frames_is_a_clear_error(tmp_path) -> None:
    folder = tmp_path / "seq"
    folder.mkdir()
    cv2.imwrite(str(folder / "00000001.jpg"), np.zeros((32, 32, 3), np.uint8))
    (folder / "groundtruth.txt").write_text("1,1,8,8\n")
    with pytest.raises(DatasetError, match="at least two annotated frames"):
        sequence_pairs(folder, 4, progress=False)
