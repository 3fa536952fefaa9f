# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The sample camera's bag source: a rosbag2 image topic as a :class:`Clip`, decoded as it plays (ROS-free)."""
from __future__ import annotations

from typing import Iterator

import numpy as np

from light_tracker_ros.core.errors import ConfigError, DatasetError
from light_tracker_ros.core.types import Box
from light_tracker_ros.data.bag import BagFrames, bag_groundtruth
from light_tracker_ros.data.sequences import GROUNDTRUTH
from light_tracker_ros.ros.clip import Clip

DEFAULT_RATE_HZ = 10.0


class PlaybackFrames:
    """
    The images of a bag topic, indexable like the clip's frame tuple but read from the bag as they are asked for.

    Reading in order (0, 1, 2, ..., then 0 again) costs one decode per frame; any other index re-reads the bag
    from the start up to it. Only the first frame is kept in memory.
    """

    def __init__(self, frames: BagFrames) -> None:
        self._frames = frames
        self._reader: Iterator[np.ndarray] | None = None
        self._next = 0
        self._first = next(iter(frames))

    def __len__(self) -> int:
        return len(self._frames)

    def __getitem__(self, index: int) -> np.ndarray:
        if not 0 <= index < len(self):
            raise IndexError(f"frame {index} of a {len(self)}-frame bag topic")
        if index == 0:
            self._reader, self._next = None, 1
            return self._first
        if self._reader is None or index < self._next:
            self._reader, self._next = iter(self._frames), 0
        frame = self._first
        while self._next <= index:
            frame = next(self._reader)
            self._next += 1
        return frame


def load_bag_clip(path: str, topic: str) -> Clip:
    """
    Open the images of ``topic`` in the bag at ``path`` as a clip, with the bag's own rate.

    The boxes come from ``groundtruth.txt`` in the bag folder (or beside a bag file) when there is one: its
    leading annotated lines; none otherwise (the camera then publishes no initial box).

    :raises ConfigError: the bag or topic cannot be read (the message says why).
    """
    try:
        frames = BagFrames(path, topic)
        gt_path = frames.folder / GROUNDTRUTH
        boxes = bag_groundtruth(gt_path, len(frames)) if gt_path.is_file() else np.zeros((0, 4))
        playback = PlaybackFrames(frames)
    except DatasetError as exc:
        raise ConfigError(f"bag: {exc}") from exc
    finite = np.isfinite(boxes).all(axis=1)
    leading = int(np.argmin(finite)) if not finite.all() else len(boxes)
    name = frames.path.name if frames.path.is_dir() else frames.path.stem
    return Clip(name, playback, frames.rate_hz or DEFAULT_RATE_HZ,  # type: ignore[arg-type]
                tuple(Box(*map(float, row)) for row in boxes[:leading]))
