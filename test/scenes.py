# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The one scene generator of the tests: a target moving over noise, its true boxes, and the scene as a rosbag2.

Importable as ``scenes`` from every test folder (pytest puts ``test/`` on sys.path for ``test/conftest.py``).
A :class:`Scene` is a frozen description; frame ``i`` and its box are a pure function of ``i``, so any frame can
be rebuilt (``scene.frame(i)``) or a run of them taken at once (``scene.frames(n)``). Presets:
:data:`ELLIPSE` (core and training tests), :data:`SQUARE` (evaluation and OpenCV peers) and :data:`NODE`
(the node tests: small frames, fresh noise per frame).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from light_tracker_ros.core.types import Box


@dataclass(frozen=True)
class Scene:
    """
    A textured target moving over a noise background; every length in pixels.

    The target's centre at frame i is ``start + i * step``, plus ``wobble * sin(i / 8)`` vertically, truncated
    to whole pixels. ``shape`` "ellipse" (semi-axes ``half``) or "square" (side ``2 * half[0]``, with an
    inner square of ``inner_colour``). The background is uniform noise in [0, ``noise``), blurred when ``blur``; it is
    the same for all frames unless ``fresh_noise`` (then frame i uses seed ``seed + i``).
    """

    size: tuple[int, int] = (240, 320)
    shape: str = "ellipse"
    half: tuple[int, int] = (16, 12)
    start: tuple[float, float] = (80.0, 90.0)
    step: tuple[float, float] = (3.0, 1.5)
    wobble: float = 0.0
    colour: tuple[int, int, int] = (40, 200, 230)
    inner_colour: tuple[int, int, int] = (200, 40, 40)
    noise: int = 90
    blur: bool = True
    fresh_noise: bool = False
    seed: int = 3

    def centre(self, i: int) -> tuple[int, int]:
        """Return the target's centre x, y at frame ``i``, in whole pixels."""
        cx = self.start[0] + self.step[0] * i
        cy = self.start[1] + self.step[1] * i + self.wobble * math.sin(i / 8)
        return int(cx), int(cy)

    def box(self, i: int) -> Box:
        """Return the true box of frame ``i``: the pixels the target covers (x, y top-left, w, h)."""
        cx, cy = self.centre(i)
        if self.shape == "square":
            side = 2 * self.half[0]
            return Box(cx - side // 2, cy - side // 2, side, side)
        return Box(cx - self.half[0], cy - self.half[1], 2 * self.half[0] + 1, 2 * self.half[1] + 1)

    def background(self, i: int = 0) -> np.ndarray:
        """Return the noise background of frame ``i`` (BGR uint8)."""
        rng = np.random.default_rng(self.seed + i if self.fresh_noise else self.seed)
        frame = rng.integers(0, self.noise, (*self.size, 3), dtype=np.uint8)
        return cv2.GaussianBlur(frame, (3, 3), 0) if self.blur else frame

    def frame(self, i: int, background: np.ndarray | None = None) -> tuple[np.ndarray, Box]:
        """Frame ``i`` (BGR uint8, ``size`` = height, width) and its true box."""
        frame = (self.background(i) if background is None else background).copy()
        box = self.box(i)
        if self.shape == "square":
            x, y, side = int(box.x), int(box.y), int(box.w)
            frame[y:y + side, x:x + side] = self.colour
            inner = side // 4
            frame[y + inner:y + side - inner, x + inner:x + side - inner] = self.inner_colour
        else:
            cv2.ellipse(frame, self.centre(i), self.half, 0, 0, 360, self.colour, -1)
        return frame, box

    def frames(self, n: int) -> tuple[list[np.ndarray], np.ndarray]:
        """Frames 0..n-1 and their true boxes as an (n, 4) float array of pixel x, y, w, h."""
        background = None if self.fresh_noise else self.background()
        pairs = [self.frame(i, background) for i in range(n)]
        return [f for f, _ in pairs], np.array([b.as_tuple() for _, b in pairs], dtype=np.float64)


ELLIPSE = Scene()
SQUARE = Scene(size=(120, 160), shape="square", half=(12, 12), start=(32, 42), step=(3, 1), colour=(40, 200, 240),
               noise=60, blur=False, seed=0)
NODE = Scene(size=(120, 160), half=(12, 9), start=(40, 60), step=(2, 0), wobble=10.0, colour=(40, 180, 220),
             noise=80, blur=False, fresh_noise=True, seed=100)


def moving_target_frames(n: int = 40, size: tuple[int, int] = (240, 320), step: tuple[float, float] = (3.0, 1.5),
                         seed: int = 3) -> tuple[list[np.ndarray], np.ndarray]:
    """:data:`ELLIPSE` frames (older name, kept for callers not yet switched)."""
    return replace(ELLIPSE, size=size, step=step, seed=seed).frames(n)


def moving_square(n: int = 12, size: tuple[int, int] = (120, 160), side: int = 24, step: tuple[int, int] = (3, 1),
                  seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """:data:`SQUARE` frames (older name, kept for callers not yet switched)."""
    return replace(SQUARE, size=size, half=(side // 2, side // 2), start=(20 + side // 2, 30 + side // 2), step=step,
                   seed=seed).frames(n)


def scene_frame(i: int, width: int = 160, height: int = 120, speed: float = 2.0) -> tuple[np.ndarray, Box]:
    """:data:`NODE` frame ``i`` (the node tests' older name, kept for callers not yet switched)."""
    return replace(NODE, size=(height, width), start=(40, height / 2), step=(speed, 0)).frame(i)


def record_bag(path: Path, frames: list[np.ndarray], topic: str = "/camera/image_raw", encoding: str = "bgr8",
               storage: str = "sqlite3", period_ns: int = 100_000_000, first_ns: int = 1_000_000_000,
               frame_id: str = "camera") -> Path:
    """
    Write ``frames`` as a rosbag2 (``storage`` sqlite3 or mcap) at ``path`` with the ``rosbags`` library.

    ``encoding`` is a sensor_msgs/Image encoding (bgr8, rgb8, mono8, mono16) or "jpeg"/"png" for a CompressedImage
    topic. Frame i is stamped (header and receive time) ``first_ns + i * period_ns``.
    """
    from rosbags.rosbag2 import StoragePlugin, Writer
    from rosbags.typesys import get_typestore, Stores

    store = get_typestore(Stores.LATEST)
    types = store.types
    compressed = encoding in ("jpeg", "png")
    msgtype = "sensor_msgs/msg/CompressedImage" if compressed else "sensor_msgs/msg/Image"
    plugin = StoragePlugin.MCAP if storage == "mcap" else StoragePlugin.SQLITE3
    with Writer(path, version=9, storage_plugin=plugin) as writer:
        connection = writer.add_connection(topic, msgtype, typestore=store)
        for i, frame in enumerate(frames):
            ns = first_ns + i * period_ns
            header = types["std_msgs/msg/Header"](
                stamp=types["builtin_interfaces/msg/Time"](sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000),
                frame_id=frame_id)
            if compressed:
                data = cv2.imencode(f".{'jpg' if encoding == 'jpeg' else 'png'}", frame)[1].reshape(-1)
                msg = types[msgtype](header=header, format=encoding, data=data)
            else:
                grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                pixels = {"bgr8": frame, "rgb8": frame[..., ::-1], "mono8": grey,
                          "mono16": grey.astype("<u2") * 257}[encoding]
                pixels = np.ascontiguousarray(pixels)
                msg = types[msgtype](header=header, height=pixels.shape[0], width=pixels.shape[1],
                                     encoding=encoding, is_bigendian=0, step=pixels.strides[0],
                                     data=pixels.view(np.uint8).reshape(-1))
            writer.write(connection, ns, store.serialize_cdr(msg, msgtype))
    return path
