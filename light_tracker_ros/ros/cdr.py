# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
A sensor_msgs/Image read straight from its serialized (CDR) bytes: the pixels stay a view, not a copy.

rclpy's deserialization copies the pixel data into a new array (about 1 ms for 640x480 bgr8 on a desktop CPU,
more on a busy one); the node only needs a view of it. :func:`image_from_cdr` reads the few fields of the
message and returns an object with the attributes of ``sensor_msgs.msg.Image``; it raises :class:`CdrError`
for anything it does not expect, and the caller then falls back to rclpy's deserialization.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from builtin_interfaces.msg import Time
from std_msgs.msg import Header

_LITTLE, _BIG = b"\x00\x01", b"\x00\x00"  # CDR encapsulation identifiers (plain CDR, little / big endian)


class CdrError(ValueError):
    """The bytes are not a plain-CDR sensor_msgs/Image this reader understands."""


@dataclass
class CdrImage:
    """The fields of a sensor_msgs/Image; ``data`` is a read-only view of the serialized bytes."""

    header: Header
    height: int
    width: int
    encoding: str
    is_bigendian: int
    step: int
    data: memoryview


class _Reader:
    """Reads CDR primitives in order, aligned relative to the end of the encapsulation header."""

    def __init__(self, raw: bytes) -> None:
        if len(raw) < 4 or raw[:2] not in (_LITTLE, _BIG):
            raise CdrError("not a plain-CDR message")
        self.view, self.pos, self.order = memoryview(raw), 4, "<" if raw[:2] == _LITTLE else ">"

    def _take(self, size: int, align: int) -> memoryview:
        self.pos += -(self.pos - 4) % align
        end = self.pos + size
        if end > len(self.view):
            raise CdrError("message ends early")
        out, self.pos = self.view[self.pos:end], end
        return out

    def u32(self) -> int:
        return struct.unpack(self.order + "I", self._take(4, 4))[0]

    def i32(self) -> int:
        return struct.unpack(self.order + "i", self._take(4, 4))[0]

    def u8(self) -> int:
        return self._take(1, 1)[0]

    def string(self) -> str:
        size = self.u32()
        if size == 0 or size > 4096:
            raise CdrError("string length out of range")
        text = bytes(self._take(size, 1))
        if text[-1:] != b"\x00":
            raise CdrError("string not terminated")
        return text[:-1].decode("utf-8", errors="replace")


def image_from_cdr(raw: bytes) -> CdrImage:
    """Read a serialized sensor_msgs/Image without copying its pixels; raise CdrError when it cannot."""
    reader = _Reader(raw)
    sec, nanosec = reader.i32(), reader.u32()
    header = Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=reader.string())
    height, width, encoding = reader.u32(), reader.u32(), reader.string()
    is_bigendian, step = reader.u8(), reader.u32()
    size = reader.u32()
    data = reader._take(size, 1)
    return CdrImage(header, height, width, encoding, is_bigendian, step, data)
