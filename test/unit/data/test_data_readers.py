# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""GOT-10k, LaSOT and OTB readers on tiny generated folder layouts."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.readers import detect_layout, read_any, read_got10k, read_lasot, read_otb


def _frames(folder: Path, n: int, pattern: str = "{:08d}.jpg") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, n + 1):
        cv2.imwrite(str(folder / pattern.format(i)), np.full((24, 32, 3), (10 * i) % 250, np.uint8))


def _gt(n: int, sep: str = ",") -> str:
    return "".join(sep.join(str(v) for v in (i, 2, 8, 6)) + "\n" for i in range(n))


def _got10k(root: Path) -> Path:
    for split, names in (("train", ["GOT-10k_Train_000001", "GOT-10k_Train_000002"]), ("val", ["GOT-10k_Val_000001"])):
        (root / split).mkdir(parents=True)
        (root / split / "list.txt").write_text("\n".join(names) + "\n")
        for name in names:
            _frames(root / split / name, 4)
            (root / split / name / "groundtruth.txt").write_text(_gt(4))
    (root / "train" / "GOT-10k_Train_000001" / "absence.label").write_text("0\n0\n1\n0\n")
    return root


def test_got10k_marks_absent_frames_and_reads_splits(tmp_path):
    root = _got10k(tmp_path / "got10k")
    assert detect_layout(root) == "got10k"
    seqs = read_any(root)
    assert [s.name for s in seqs] == ["GOT-10k_Train_000001", "GOT-10k_Train_000002", "GOT-10k_Val_000001"]
    first = seqs[0]
    assert np.isnan(first.groundtruth[2]).all() and np.isfinite(first.groundtruth[[0, 1, 3]]).all()
    assert len(list(first)) == 4
    assert [s.name for s in read_got10k(root, splits=("val",))] == ["GOT-10k_Val_000001"]
    assert [s.name for s in read_any(root / "train")][1] == "GOT-10k_Train_000002"


def test_got10k_test_split_keeps_only_the_first_box(tmp_path):
    folder = tmp_path / "test" / "GOT-10k_Test_000001"
    _frames(folder, 3)
    (folder / "groundtruth.txt").write_text("1,2,8,6\n")
    (seq,) = read_got10k(folder)
    assert seq.groundtruth[0].tolist() == [1, 2, 8, 6] and np.isnan(seq.groundtruth[1:]).all()


def test_got10k_bad_absence_label_is_reported(tmp_path):
    root = _got10k(tmp_path / "got10k")
    (root / "train" / "GOT-10k_Train_000001" / "absence.label").write_text("0\n1\n")
    with pytest.raises(DatasetError, match="absence.label has 2 flags but the sequence has 4 frames"):
        read_any(root)


def test_lasot_hides_occluded_and_out_of_view_frames(tmp_path):
    root = tmp_path / "lasot"
    for name in ("airplane-1", "airplane-2"):
        seq = root / "airplane" / name
        _frames(seq / "img", 4)
        (seq / "groundtruth.txt").write_text(_gt(4))
        (seq / "full_occlusion.txt").write_text("0,1,0,0")
        (seq / "out_of_view.txt").write_text("0,0,0,1")
        (seq / "nlp.txt").write_text("white airplane")
    assert detect_layout(root) == "lasot"
    seqs = read_any(root)
    assert [s.name for s in seqs] == ["airplane-1", "airplane-2"]
    hidden = np.isnan(seqs[0].groundtruth).all(1)
    assert hidden.tolist() == [False, True, False, True]
    assert [s.name for s in read_lasot(root / "airplane", names=["airplane-2"])] == ["airplane-2"]


def test_otb_separators_two_targets_and_late_start(tmp_path):
    root = tmp_path / "otb"
    _frames(root / "Basketball" / "img", 3, "{:04d}.jpg")
    (root / "Basketball" / "groundtruth_rect.txt").write_text(_gt(3, "\t"))
    _frames(root / "Jogging" / "img", 2, "{:04d}.jpg")
    (root / "Jogging" / "groundtruth_rect.1.txt").write_text(_gt(2, " "))
    (root / "Jogging" / "groundtruth_rect.2.txt").write_text(_gt(2, ","))
    _frames(root / "David" / "img", 302, "{:04d}.jpg")  # annotation starts at image 300
    (root / "David" / "groundtruth_rect.txt").write_text(_gt(3))
    assert detect_layout(root) == "otb"
    seqs = {s.name: s for s in read_any(root)}
    assert sorted(seqs) == ["Basketball", "David", "Jogging_1", "Jogging_2"]
    assert seqs["Basketball"].groundtruth[2].tolist() == [2, 2, 8, 6]
    assert [p.name for p in seqs["David"].frames.paths] == ["0300.jpg", "0301.jpg", "0302.jpg"]
    assert [s.name for s in read_otb(root / "Basketball")] == ["Basketball"]


def test_otb_with_too_few_images_is_an_error(tmp_path):
    folder = tmp_path / "Car"
    _frames(folder / "img", 2, "{:04d}.jpg")
    (folder / "groundtruth_rect.txt").write_text(_gt(3))
    with pytest.raises(DatasetError, match="3 lines but .* has only 2 frames"):
        read_any(folder)


def test_plain_layout_falls_back_and_missing_root_is_an_error(tmp_path):
    _frames(tmp_path / "plain" / "s1", 2)
    (tmp_path / "plain" / "s1" / "groundtruth.txt").write_text(_gt(2))
    assert detect_layout(tmp_path / "plain") == "plain"
    assert [s.name for s in read_any(tmp_path / "plain")] == ["s1"]
    with pytest.raises(DatasetError, match="does not exist"):
        read_any(tmp_path / "nowhere")
