# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Image messages to frames without DDS: every encoding, compressed bombs, format mismatches, clipped boxes."""
from __future__ import annotations

import resource
import time
import zlib

import cv2
import numpy as np
import pytest
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

from light_tracker_ros.core.types import Box
from light_tracker_ros.ros.conversions import (ImageMessageError, box_to_polygon, box_to_roi, compressed_size,
                                               compressed_to_bgr, image_to_bgr, polygon_to_box,
                                               return_large_buffers_to_the_system)

H, W = 48, 64
BGR = (30, 120, 220)  # blue, green, red of a flat test colour


def _flat() -> np.ndarray:
    frame = np.zeros((H, W, 3), np.uint8)
    frame[:] = BGR
    return frame


def _image(encoding: str, data: bytes, step: int, width: int = W, height: int = H, bigendian: int = 0) -> Image:
    return Image(height=height, width=width, encoding=encoding, is_bigendian=bigendian, step=step, data=data)


def _bayer(frame: np.ndarray, pattern: str) -> bytes:
    """Mosaic a BGR frame into an 8-bit Bayer image of ``pattern`` (ROS naming: the first row's two colours)."""
    index = {"r": 2, "g": 1, "b": 0}
    out = np.zeros(frame.shape[:2], np.uint8)
    for dy in (0, 1):
        for dx in (0, 1):
            out[dy::2, dx::2] = frame[dy::2, dx::2, index[pattern[2 * dy + dx]]]
    return out.tobytes()


@pytest.mark.parametrize("pattern", ["rggb", "bggr", "gbrg", "grbg"])
def test_bayer_patterns_give_the_true_colour(pattern: str) -> None:
    """Each of the four Bayer layouts demosaics a flat colour back to that colour (not a channel swap)."""
    frame = image_to_bgr(_image(f"bayer_{pattern}8", _bayer(_flat(), pattern), W))
    assert frame.shape == (H, W, 3)
    assert np.abs(frame[4:-4, 4:-4].astype(int) - BGR).max() <= 2


@pytest.mark.parametrize("encoding", ["yuv422", "yuv422_yuy2"])
def test_yuv422_encodings(encoding: str) -> None:
    """UYVY (yuv422) and YUYV (yuv422_yuy2) convert back to the colour within rounding."""
    yuv = _to_yuv422(_flat(), encoding)
    frame = image_to_bgr(_image(encoding, yuv.tobytes(), W * 2))
    assert np.abs(frame.astype(int) - BGR).max() <= 4


def _to_yuv422(frame: np.ndarray, encoding: str) -> np.ndarray:
    b, g, r = (frame[..., k].astype(np.float64) for k in range(3))  # BT.601 video range, as cameras send
    y = np.round(16 + 0.257 * r + 0.504 * g + 0.098 * b).astype(np.int32)
    u = np.round(128 - 0.148 * r - 0.291 * g + 0.439 * b).astype(np.int32)
    v = np.round(128 + 0.439 * r - 0.368 * g - 0.071 * b).astype(np.int32)
    out = np.zeros((H, W * 2), np.uint8)
    if encoding == "yuv422":  # U Y0 V Y1
        out[:, 0::4], out[:, 1::2], out[:, 2::4] = u[:, 0::2], y, v[:, 0::2]
    else:  # Y0 U Y1 V
        out[:, 0::2], out[:, 1::4], out[:, 3::4] = y, u[:, 0::2], v[:, 0::2]
    return out


@pytest.mark.parametrize("bigendian", [0, 1])
def test_mono16_uses_the_high_byte_in_either_byte_order(bigendian: int) -> None:
    """mono16 becomes grey from its high byte, reading is_bigendian."""
    values = np.full((H, W), 0xAB12, np.uint16).astype(">u2" if bigendian else "<u2")
    frame = image_to_bgr(_image("mono16", values.tobytes(), W * 2, bigendian=bigendian))
    assert frame.shape == (H, W, 3) and (frame == 0xAB).all()


@pytest.mark.parametrize("encoding,width,step,size,kind", [
    ("yuv422", W + 1, (W + 1) * 2, (W + 1) * 2 * H, "step"),
    ("bayer_rggb8", W, W - 1, (W - 1) * H, "step"),
    ("mono16", W, W * 2, W * 2 * H - 1, "truncated"),
    ("32FC1", W, W * 4, W * 4 * H, "encoding"),
    ("x" * 5000, W, W, W * H, "encoding"),
])
def test_bad_raw_images_are_refused_with_a_kind(encoding: str, width: int, step: int, size: int, kind: str) -> None:
    """Odd widths for 4:2:2, short steps, truncated data and unknown encodings are refused and counted by kind."""
    with pytest.raises(ImageMessageError) as info:
        image_to_bgr(_image(encoding, bytes(size), step, width=width))
    assert info.value.kind == kind and len(str(info.value)) < 600


def test_raw_pixel_limit() -> None:
    """A raw frame over max_image_pixels is refused before any conversion."""
    with pytest.raises(ImageMessageError, match="exceeds max_image_pixels = 1,000") as info:
        image_to_bgr(_image("bgr8", bytes(W * 3 * H), W * 3), max_pixels=1000)
    assert info.value.kind == "too_large"


def _png_bomb(width: int, height: int) -> bytes:
    """Return a valid grey PNG of width x height zeros: small compressed, width*height bytes decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    raw = zlib.compressobj(9)
    row = b"\x00" + bytes(width)
    body = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_png_bomb_refused_from_its_header_without_memory() -> None:
    """A 20000x20000 PNG of a few hundred KB is refused from its IHDR: no decode, no RSS growth, fast."""
    bomb = _png_bomb(20000, 20000)
    assert len(bomb) < 1_000_000 and compressed_size(bomb) == ("png", 20000, 20000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(ImageMessageError, match="20000x20000 = 400,000,000 pixels exceeds max_image_pixels") as info:
        compressed_to_bgr(CompressedImage(format="png", data=bomb))
    assert info.value.kind == "too_large" and time.perf_counter() - t0 < 0.1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_jpeg_header_size_is_read_and_limited() -> None:
    """The JPEG SOF marker gives the size; over the limit it is refused, under it it decodes."""
    ok, buf = cv2.imencode(".jpg", _flat())
    data = buf.tobytes()
    assert compressed_size(data) == ("jpeg", W, H)
    with pytest.raises(ImageMessageError, match="too_large|exceeds"):
        compressed_to_bgr(CompressedImage(format="jpeg", data=data), max_pixels=W * H - 1)
    assert compressed_to_bgr(CompressedImage(format="bgr8; jpeg compressed bgr8", data=data)).shape == (H, W, 3)


@pytest.mark.parametrize("ext", [".bmp", ".tiff", ".ppm", ".png"])
def test_format_field_is_enforced(ext: str) -> None:
    """BMP, TIFF, PPM (and PNG) data labelled jpeg are refused as a format mismatch, not decoded."""
    ok, buf = cv2.imencode(ext, _flat())
    with pytest.raises(ImageMessageError, match="labelled 'jpeg' holds") as info:
        compressed_to_bgr(CompressedImage(format="jpeg", data=buf.tobytes()))
    assert info.value.kind == "format"


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xe0" + bytes(10), b"\x89PNG\r\n\x1a\n" + bytes(4),
                                  b"\xff\xd8" + b"\xff\xc0\x00\x11\x08" + (60000).to_bytes(2, "big")
                                  + (60000).to_bytes(2, "big") + bytes(20)])
def test_truncated_or_lying_headers_are_refused_cleanly(data: bytes) -> None:
    """Truncated headers or a header whose data does not follow end as decode/size refusals, never cv2.error."""
    with pytest.raises(ImageMessageError) as info:
        compressed_to_bgr(CompressedImage(format="png" if data.startswith(b"\x89") else "jpeg", data=data))
    assert info.value.kind in ("decode", "too_large") and "cv2" not in str(info.value)


def test_outputs_are_clipped_to_the_image() -> None:
    """A box partly outside the image is clipped in the ROI and, once clipped by the node, in the polygon."""
    box = Box(-20.0, 100.0, 60.0, 50.0)
    roi = box_to_roi(box, 160, 120)
    assert (roi.x_offset, roi.y_offset, roi.width, roi.height) == (0, 100, 40, 20)
    polygon = box_to_polygon(box.clipped(160, 120), Header())
    assert polygon_to_box(polygon).as_tuple() == (0.0, 100.0, 40.0, 20.0)


def _rss_mb() -> float:
    for line in open("/proc/self/status").read().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def test_large_buffers_go_back_to_the_system() -> None:
    """After the switch, large frames freed in a loop leave RSS where it was (glibc keeps them otherwise)."""
    assert return_large_buffers_to_the_system()
    before = _rss_mb()
    for size in (60, 40, 50, 30):  # MB, freed each time
        frame = np.ones(size * 2 ** 20, np.uint8)
        del frame
    assert _rss_mb() - before < 10.0
