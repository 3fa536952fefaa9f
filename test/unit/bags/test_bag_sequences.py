# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""rosbag2 files (sqlite3 and mcap, written here with rosbags) read as sequences and evaluated from the CLI."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from scenes import SQUARE, record_bag

from light_tracker_ros.cli import evaluate as evaluate_cli
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.bag import BagFrames, image_topics, load_bag
from light_tracker_ros.data.sequences import write_groundtruth

TOPIC = "/camera/image_raw"
STORAGES = ("sqlite3", "mcap")


@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("encoding", ["bgr8", "rgb8", "mono8", "mono16", "png", "jpeg"])
def test_every_encoding_reads_back_as_the_recorded_bgr_frames(tmp_path, storage, encoding):
    frames, _ = SQUARE.frames(5)
    bag = record_bag(tmp_path / "bag", frames, TOPIC, encoding, storage, period_ns=50_000_000)
    read = list(BagFrames(bag, TOPIC).images())
    assert [image.index for image in read] == list(range(5))
    assert [image.stamp_ns for image in read] == [1_000_000_000 + i * 50_000_000 for i in range(5)]
    assert {image.frame_id for image in read} == {"camera"}
    for image, frame in zip(read, frames):
        assert image.frame.shape == frame.shape and image.frame.dtype == np.uint8
        if encoding in ("mono8", "mono16"):
            frame = cv2.cvtColor(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        if encoding == "jpeg":  # lossy: the recorded bytes decode to what OpenCV's own round trip gives
            frame = cv2.imdecode(cv2.imencode(".jpg", frame)[1], cv2.IMREAD_COLOR)
        assert np.array_equal(image.frame, frame), encoding


@pytest.mark.parametrize("storage", STORAGES)
def test_evaluate_cli_scores_a_bag_against_its_groundtruth(tmp_path, storage, capsys):
    frames, boxes = SQUARE.frames(12)
    bag = record_bag(tmp_path / "recording", frames, TOPIC, "bgr8", storage)
    write_groundtruth(tmp_path / "boxes.txt", boxes)
    out = tmp_path / "eval.json"
    code = evaluate_cli.main(["--bag", str(bag), "--topic", TOPIC, "--groundtruth", str(tmp_path / "boxes.txt"),
                              "--peers", "kcf", "--json", str(out), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(out.read_text())
    assert data["settings"]["bag"] == {"path": str(bag), "topic": TOPIC}
    (name, run), = data["results"]["KCF"].items()
    assert name == "recording_camera_image_raw"
    assert run["metrics"]["n_scored"] == 11  # every frame after the initial one
    assert 0.5 < run["metrics"]["auc"] <= 1.0  # KCF follows the square; the AUC is a valid fraction
    assert len(run["times_ms"]) == 12


def test_a_short_groundtruth_in_the_bag_folder_scores_only_its_lines(tmp_path):
    frames, boxes = SQUARE.frames(6)
    bag = record_bag(tmp_path / "bag", frames, TOPIC, "png", "mcap")
    write_groundtruth(bag / "groundtruth.txt", boxes[:1])
    sequence = load_bag(bag, TOPIC)
    assert len(sequence) == 6 and np.array_equal(sequence.groundtruth[0], boxes[0])
    assert np.isnan(sequence.groundtruth[1:]).all()
    assert np.array_equal(next(iter(sequence)), frames[0])


def test_bag_problems_are_named(tmp_path):
    frames, boxes = SQUARE.frames(3)
    bag = record_bag(tmp_path / "bag", frames, TOPIC, "bgr8", "sqlite3")
    assert image_topics(bag) == {TOPIC: "sensor_msgs/msg/Image"}
    with pytest.raises(DatasetError, match=r"no topic '/image'.*'/camera/image_raw'"):
        BagFrames(bag, "/image")
    with pytest.raises(DatasetError, match=r"groundtruth.txt does not exist"):
        load_bag(bag, TOPIC)
    write_groundtruth(tmp_path / "long.txt", np.vstack([boxes, boxes]))
    with pytest.raises(DatasetError, match=r"6 lines but the topic only 3 images"):
        load_bag(bag, TOPIC, tmp_path / "long.txt")
    with pytest.raises(DatasetError, match=r"does not exist"):
        BagFrames(tmp_path / "missing", TOPIC)
    (tmp_path / "junk.mcap").write_bytes(b"not a bag")
    with pytest.raises(DatasetError, match=r"junk.mcap is unreadable"):
        BagFrames(tmp_path / "junk.mcap", TOPIC)
