# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
rosbag2 recordings (sqlite3 ``.db3`` or ``.mcap``) as sequences: the images of one topic, decoded to BGR.

Read with the pure-Python ``rosbags`` library, so no ROS installation is needed. A bag is its folder (with
``metadata.yaml``) or a single ``.db3`` / ``.mcap`` file. Topics of type sensor_msgs/msg/Image (encodings
:data:`ENCODINGS`) and sensor_msgs/msg/CompressedImage (jpeg, png) are read, in recording order.
Ground truth for a bag is a ``groundtruth.txt`` (pixel x, y, w, h per line): line i is the i-th image of the
topic; a shorter file leaves the remaining frames unscored (one line = just the initial box).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import cv2
import numpy as np

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.sequences import GROUNDTRUTH, Sequence, read_groundtruth

LOG = logging.getLogger(__name__)
IMAGE = "sensor_msgs/msg/Image"
COMPRESSED = "sensor_msgs/msg/CompressedImage"
# encoding -> (channels, bytes per channel, OpenCV conversion to BGR or None)
ENCODINGS: dict[str, tuple[int, int, int | None]] = {
    "bgr8": (3, 1, None), "rgb8": (3, 1, cv2.COLOR_RGB2BGR), "mono8": (1, 1, cv2.COLOR_GRAY2BGR),
    "bgra8": (4, 1, cv2.COLOR_BGRA2BGR), "rgba8": (4, 1, cv2.COLOR_RGBA2BGR), "mono16": (1, 2, cv2.COLOR_GRAY2BGR),
}
INSTALL_HINT = "reading rosbag2 files needs the rosbags package (pip install -r requirements.txt)"


@dataclass(frozen=True)
class BagImage:
    """One image of a bag topic: its index on the topic, header stamp and receive time (ns), frame_id, pixels."""

    index: int
    stamp_ns: int
    log_ns: int
    frame_id: str
    frame: np.ndarray


def _typestore() -> Any:
    try:
        from rosbags.typesys import get_typestore, Stores
    except ImportError as exc:
        raise DatasetError(INSTALL_HINT) from exc
    return get_typestore(Stores.LATEST)


def _open_reader(path: Path) -> Any:
    try:
        from rosbags.rosbag2 import Reader
    except ImportError as exc:
        raise DatasetError(INSTALL_HINT) from exc
    if not path.exists():
        raise DatasetError(f"bag {path} does not exist")
    try:
        reader = Reader(path)
        reader.open()
    except Exception as exc:  # noqa: B902 - rosbags raises several unrelated types for unreadable bags
        raise DatasetError(f"bag {path} is unreadable: {exc} (expected a rosbag2 folder with metadata.yaml, "
                           "or a .db3 / .mcap file)") from exc
    return reader


def image_topics(path: str | Path) -> dict[str, str]:
    """
    Return the image topics of a bag and their message types.

    :raises DatasetError: the bag is missing or unreadable.
    """
    reader = _open_reader(Path(path).expanduser())
    try:
        return {c.topic: c.msgtype for c in reader.connections if c.msgtype in (IMAGE, COMPRESSED)}
    finally:
        reader.close()


def message_to_bgr(msg: Any, msgtype: str) -> np.ndarray:
    """
    Return the pixels of a deserialised Image or CompressedImage as HxWx3 BGR uint8.

    mono16 keeps its 8 most significant bits.

    :raises DatasetError: unsupported encoding or format, sizes that do not match the data, undecodable data.
    """
    data = np.asarray(msg.data, dtype=np.uint8)
    if msgtype == COMPRESSED:
        frame = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if frame is None:
            raise DatasetError(f"compressed image ({msg.format!r}, {data.size} bytes) does not decode")
        return frame
    if msg.encoding not in ENCODINGS:
        raise DatasetError(f"unsupported image encoding {msg.encoding!r}; supported: {', '.join(ENCODINGS)}")
    channels, depth, code = ENCODINGS[msg.encoding]
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    row = width * channels * depth
    if height == 0 or width == 0 or step < row or data.size < step * height:
        raise DatasetError(f"{msg.encoding} image {width}x{height} with step {step} does not match its "
                           f"{data.size} bytes of data")
    pixels = data[:step * height].reshape(height, step)[:, :row]
    if depth == 2:
        pixels = (pixels.view(">u2" if msg.is_bigendian else "<u2") >> 8).astype(np.uint8)
    pixels = pixels.reshape(height, width, channels)
    return np.ascontiguousarray(pixels) if code is None else cv2.cvtColor(pixels, code)


class BagFrames:
    """The images of one topic of a bag, decoded on demand (BGR uint8) in recording order."""

    def __init__(self, path: str | Path, topic: str) -> None:
        """
        Find ``topic`` in the bag and count its images.

        :raises DatasetError: missing or unreadable bag, no such topic, not an image topic, or no messages.
        """
        self.path = Path(path).expanduser()
        self.topic = topic
        reader = _open_reader(self.path)
        try:
            connections = [c for c in reader.connections if c.topic == topic]
            images = {c.topic: c.msgtype for c in reader.connections if c.msgtype in (IMAGE, COMPRESSED)}
            self.count = sum(c.msgcount for c in connections)
            span_ns = reader.duration
        finally:
            reader.close()
        if not connections:
            raise DatasetError(f"bag {self.path} has no topic {topic!r}; its image topics: {images or 'none'}")
        types = {c.msgtype for c in connections}
        if not types <= {IMAGE, COMPRESSED}:
            raise DatasetError(f"topic {topic!r} of bag {self.path} carries {sorted(types)}, not {IMAGE} or "
                               f"{COMPRESSED}")
        if self.count == 0:
            raise DatasetError(f"topic {topic!r} of bag {self.path} holds no messages")
        # images per second over the recording (exact for a bag holding only this topic); None when unknown
        self.rate_hz = (self.count - 1) * 1e9 / span_ns if self.count > 1 and span_ns > 0 else None

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[np.ndarray]:
        return (image.frame for image in self.images())

    def images(self) -> Iterator[BagImage]:
        """Yield the topic's images with their stamps, reading the bag sequentially."""
        typestore = _typestore()
        reader = _open_reader(self.path)
        try:
            connections = [c for c in reader.connections if c.topic == self.topic]
            for index, (connection, log_ns, raw) in enumerate(reader.messages(connections=connections)):
                msg = typestore.deserialize_cdr(raw, connection.msgtype)
                stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
                try:
                    frame = message_to_bgr(msg, connection.msgtype)
                except DatasetError as exc:
                    raise DatasetError(f"bag {self.path}, topic {self.topic!r}, image {index}: {exc}") from exc
                yield BagImage(index, stamp, log_ns, msg.header.frame_id, frame)
        finally:
            reader.close()

    @property
    def folder(self) -> Path:
        """The bag folder, or the folder holding a bag file (where its ``groundtruth.txt`` is looked for)."""
        return self.path if self.path.is_dir() else self.path.parent

    def describe(self) -> str:
        """Where the frames come from."""
        return f"{self.path} {self.topic} ({self.count} images)"


def bag_groundtruth(path: Path, count: int) -> np.ndarray:
    """
    Read ``path`` as ground truth for ``count`` images, NaN-padding a shorter file (the rest is not scored).

    :raises DatasetError: missing file, a bad line, or more lines than images.
    """
    boxes = read_groundtruth(path)
    if len(boxes) > count:
        raise DatasetError(f"{path} has {len(boxes)} lines but the topic only {count} images; line i must be the "
                           "box of the topic's i-th image")
    if len(boxes) < count:
        LOG.info("%s has %d lines for %d images: the remaining %d are not scored", path, len(boxes), count,
                 count - len(boxes))
    return np.vstack([boxes, np.full((count - len(boxes), 4), np.nan)])


def load_bag(path: str | Path, topic: str, groundtruth: str | Path | None = None,
             name: str | None = None) -> Sequence:
    """
    Return the images of ``topic`` in a bag as a sequence scored against ``groundtruth``.

    Without ``groundtruth``, ``groundtruth.txt`` inside the bag folder (or beside a bag file) is used.

    :raises DatasetError: unreadable bag or topic (see :class:`BagFrames`), missing or inconsistent ground truth.
    """
    frames = BagFrames(path, topic)
    gt_path = Path(groundtruth).expanduser() if groundtruth else frames.folder / GROUNDTRUTH
    if not gt_path.is_file():
        raise DatasetError(f"no ground truth for bag {frames.path}: {gt_path} does not exist; give a file with one "
                           "'x,y,w,h' line per image of the topic (at least the first: the initial box)")
    stem = frames.path.name if frames.path.is_dir() else frames.path.stem
    return Sequence(name or f"{stem}{topic.replace('/', '_')}", frames, bag_groundtruth(gt_path, len(frames)),
                    frames.path)
