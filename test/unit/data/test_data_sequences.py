# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Reading sequences from tiny generated folders, videos and sequence.json files."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from scenes import moving_target_frames

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.sequences import (load_dataset, load_sequence, read_groundtruth,
                                              write_groundtruth, write_sequence)


def _flat_frames(n: int, size: tuple[int, int] = (48, 64)) -> list[np.ndarray]:
    """Frames of uniform grey 20, 40, 60, ... so each decoded frame is identifiable by its mean."""
    return [np.full((*size, 3), 20 * (i + 1), np.uint8) for i in range(n)]


def _write_video(path: Path, frames: list[np.ndarray]) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def _boxes(n: int) -> np.ndarray:
    return np.array([[2.0 + i, 3.0, 10.5, 12.0] for i in range(n)])


def test_frame_folder_round_trip_with_nan_rows(tmp_path):
    frames, boxes = moving_target_frames(5, size=(120, 160))
    boxes[2] = np.nan
    write_sequence(tmp_path / "sq", frames, boxes)
    seq = load_sequence(tmp_path / "sq")
    assert seq.name == "sq" and len(seq) == 5
    np.testing.assert_allclose(seq.groundtruth, boxes)
    decoded = list(seq)
    assert all(np.array_equal(a, b) for a, b in zip(decoded, frames))  # png is lossless
    assert decoded[0].dtype == np.uint8 and decoded[0].shape == (120, 160, 3)


def test_img_subfolder_natural_order_and_whitespace_groundtruth(tmp_path):
    folder = tmp_path / "seq"
    (folder / "img").mkdir(parents=True)
    for i, frame in enumerate(_flat_frames(11), start=1):  # names img1..img11: natural order, not lexicographic
        cv2.imwrite(str(folder / "img" / f"img{i}.png"), frame)
    (folder / "groundtruth.txt").write_text("".join(f"{i}\t2 3   4\n" for i in range(11)) + "\n")
    seq = load_sequence(folder)
    means = [float(f.mean()) for f in seq]
    assert means == [20.0 * (i + 1) for i in range(11)]
    assert seq.groundtruth[10].tolist() == [10.0, 2.0, 3.0, 4.0]


def test_video_with_groundtruth_beside(tmp_path):
    folder = tmp_path / "clip"
    folder.mkdir()
    _write_video(folder / "clip.avi", _flat_frames(6))
    write_groundtruth(folder / "groundtruth.txt", _boxes(6))
    seq = load_sequence(folder)
    frames = list(seq)
    assert len(frames) == 6 and frames[0].shape == (48, 64, 3)
    assert [round(float(f.mean()) / 20) for f in frames] == [1, 2, 3, 4, 5, 6]
    via_file = load_sequence(folder / "clip.avi")
    assert via_file.name == "clip" and len(via_file) == 6


def test_sequence_json_selects_frames_from_start_frame(tmp_path):
    video = _write_video(tmp_path / "source.avi", _flat_frames(10))
    folder = tmp_path / "part"
    folder.mkdir()
    (folder / "sequence.json").write_text(json.dumps({"video": "../source.avi", "start_frame": 4}))
    write_groundtruth(folder / "groundtruth.txt", _boxes(3))
    seq = load_sequence(folder)
    assert [round(float(f.mean()) / 20) for f in seq] == [5, 6, 7]
    (folder / "sequence.json").write_text(json.dumps({"video": str(video), "start_frame": 8}))
    with pytest.raises(DatasetError, match="fewer than start_frame 8"):
        load_sequence(folder)


def test_load_dataset_reads_subfolders_or_a_single_sequence(tmp_path):
    frames, boxes = moving_target_frames(3, size=(120, 160))
    for name in ("b", "a"):
        write_sequence(tmp_path / "ds" / name, frames, boxes)
    (tmp_path / "ds" / "notes").mkdir()  # a folder without ground truth is not a sequence
    assert [s.name for s in load_dataset(tmp_path / "ds")] == ["a", "b"]
    assert [s.name for s in load_dataset(tmp_path / "ds" / "a")] == ["a"]
    with pytest.raises(DatasetError, match="holds no sequence"):
        load_dataset(tmp_path / "ds" / "notes")


def test_missing_groundtruth_names_the_file(tmp_path):
    frames, _ = moving_target_frames(2, size=(120, 160))
    folder = tmp_path / "nogt"
    folder.mkdir()
    cv2.imwrite(str(folder / "00000001.png"), frames[0])
    with pytest.raises(DatasetError, match=r"no ground truth: expected .*nogt/groundtruth\.txt"):
        load_sequence(folder)


def test_line_count_mismatch_is_a_clear_error(tmp_path):
    frames, boxes = moving_target_frames(4, size=(120, 160))
    write_sequence(tmp_path / "seq", frames, boxes)
    write_groundtruth(tmp_path / "seq" / "groundtruth.txt", boxes[:3])
    with pytest.raises(DatasetError, match="4 frames but 3 ground-truth lines"):
        load_sequence(tmp_path / "seq")


def test_bad_groundtruth_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "groundtruth.txt"
    path.write_text("1,2,3,4\nnan,nan,nan,nan\n1,2,3\n")
    with pytest.raises(DatasetError, match="line 3: expected 4 numbers"):
        read_groundtruth(path)
    path.write_text("1,2,3,4\nNaN,NaN,NaN,NaN\n")
    assert np.isnan(read_groundtruth(path)[1]).all()


def test_unreadable_video_is_a_clear_error(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "clip.avi").write_bytes(b"not a video at all" * 10)
    write_groundtruth(folder / "groundtruth.txt", _boxes(2))
    with pytest.raises(DatasetError, match=r"clip\.avi is unreadable"):
        load_sequence(folder)
