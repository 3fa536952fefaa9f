# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The sample camera's bag source without DDS: frames read as they are asked for, rate and boxes from the bag."""
from __future__ import annotations

import numpy as np
import pytest
from scenes import ELLIPSE, record_bag

from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.data.sequences import write_groundtruth
from light_tracker_ros.ros.bag_source import load_bag_clip

TOPIC = "/camera/image_raw"


def test_frames_in_any_order_and_in_loops_are_the_recorded_ones(tmp_path):
    frames, _ = ELLIPSE.frames(5)
    clip = load_bag_clip(str(record_bag(tmp_path / "bag", frames, TOPIC, "bgr8", "mcap", period_ns=40_000_000)), TOPIC)
    assert clip.name == "bag" and len(clip.frames) == 5 and clip.size == (320, 240)
    assert clip.fps == pytest.approx(25.0, rel=1e-3) and clip.boxes == ()
    for index in (0, 1, 2, 3, 4, 0, 1, 3, 2, 4):  # two loops, the second one skipping back and forth
        assert np.array_equal(clip.frames[index], frames[index]), index
    with pytest.raises(IndexError):
        clip.frames[5]


def test_boxes_are_the_leading_annotated_lines_and_bad_bags_are_config_errors(tmp_path):
    frames, boxes = ELLIPSE.frames(4)
    bag = record_bag(tmp_path / "bag", frames, TOPIC, "mono8", "sqlite3")
    boxes[2] = np.nan
    write_groundtruth(bag / "groundtruth.txt", boxes)
    clip = load_bag_clip(str(bag), TOPIC)
    assert [b.as_tuple() for b in clip.boxes] == [tuple(row) for row in boxes[:2]]
    with pytest.raises(ConfigError, match=r"bag: .*no topic '/other'"):
        load_bag_clip(str(bag), "/other")
    with pytest.raises(ConfigError, match=r"bag: .*does not exist"):
        load_bag_clip(str(tmp_path / "missing"), TOPIC)
