# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Message <-> numpy conversions without cv_bridge: images (raw and compressed), boxes and ROIs.

Frames are BGR uint8 numpy arrays, boxes are :class:`~light_tracker_ros.core.types.Box` in image pixels
(x, y = top-left corner).
"""
from __future__ import annotations

import ctypes
import gc
from typing import Any

import cv2
import numpy as np
from geometry_msgs.msg import Point32, PolygonStamped
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header

from light_tracker_ros.core.errors import InvalidBoxError, InvalidFrameError
from light_tracker_ros.core.types import Box

#: bytes per pixel of every encoding the node reads (REP-2003 / sensor_msgs image_encodings names)
CHANNELS = {"bgr8": 3, "rgb8": 3, "mono8": 1, "rgba8": 4, "bgra8": 4, "mono16": 2, "yuv422": 2, "yuv422_yuy2": 2,
            "bayer_rggb8": 1, "bayer_bggr8": 1, "bayer_gbrg8": 1, "bayer_grbg8": 1}
_TO_BGR = {"rgb8": cv2.COLOR_RGB2BGR, "mono8": cv2.COLOR_GRAY2BGR, "rgba8": cv2.COLOR_RGBA2BGR,
           "bgra8": cv2.COLOR_BGRA2BGR, "yuv422": cv2.COLOR_YUV2BGR_UYVY, "yuv422_yuy2": cv2.COLOR_YUV2BGR_YUY2,
           # OpenCV names a Bayer pattern by its second row: ROS rggb is OpenCV's BG (as cv_bridge maps them)
           "bayer_rggb8": cv2.COLOR_BayerBG2BGR, "bayer_bggr8": cv2.COLOR_BayerRG2BGR,
           "bayer_gbrg8": cv2.COLOR_BayerGR2BGR, "bayer_grbg8": cv2.COLOR_BayerGB2BGR}
_FROM_BGR = {"rgb8": cv2.COLOR_BGR2RGB, "mono8": cv2.COLOR_BGR2GRAY, "rgba8": cv2.COLOR_BGR2RGBA,
             "bgra8": cv2.COLOR_BGR2BGRA}
#: default pixel limit of a frame (8K UHD is 33.2 M pixels); the node takes it from ``max_image_pixels``
MAX_PIXELS = 40_000_000
#: after a message this large is converted, freed heap pages are handed back to the system
RELEASE_BYTES = 16 * 1024 * 1024
#: allocations this large get their own mapping (a 640x480 BGR frame is 0.9 MB, 1080p 6.2 MB)
MMAP_BYTES = 4 * 1024 * 1024
#: free memory at the top of a heap kept for the next frame's buffers (without it every 640x480 buffer grows and
#: trims the heap: 0.8 ms of page faults per 900 KB allocation instead of 0.04 ms); malloc_trim still releases it
TRIM_BYTES = RELEASE_BYTES
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


class ImageMessageError(InvalidFrameError):
    """An image message that cannot become a frame; ``kind`` names the problem for counting."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _check_pixels(width: int, height: int, max_pixels: int, what: str) -> None:
    if width * height > max_pixels:
        raise ImageMessageError("too_large", f"{what} of {width}x{height} = {width * height:,} pixels exceeds "
                                f"max_image_pixels = {max_pixels:,}")


def image_to_bgr(msg: Image, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """
    Return the frame of a sensor_msgs/Image as HxWx3 BGR uint8 (a zero-copy view for bgr8).

    mono16 is scaled to 8 bits (its high byte, honouring ``is_bigendian``); yuv422 (UYVY), yuv422_yuy2 (YUYV)
    and the four 8-bit Bayer patterns are converted with OpenCV.

    :raises ImageMessageError: unsupported encoding, empty or too large image, step or data size that does
        not match, odd width for a 4:2:2 encoding.
    """
    channels = CHANNELS.get(msg.encoding)
    if channels is None:
        shown = msg.encoding if len(msg.encoding) <= 32 else msg.encoding[:32] + "..."
        raise ImageMessageError("encoding", f"unsupported image encoding '{shown}'; supported: "
                                f"{', '.join(CHANNELS)} (convert upstream, e.g. with image_proc, or publish bgr8)")
    width, height, step = int(msg.width), int(msg.height), int(msg.step)
    if width == 0 or height == 0:
        raise ImageMessageError("empty", f"empty image ({width}x{height})")
    _check_pixels(width, height, max_pixels, "image")
    if msg.encoding.startswith("yuv422") and width % 2:
        raise ImageMessageError("step", f"{msg.encoding} needs an even width, got {width}")
    if step < width * channels:
        raise ImageMessageError("step", f"image step {step} is smaller than width*channels = "
                                f"{width}*{channels} = {width * channels} for {msg.encoding}")
    size = len(msg.data)
    if size != step * height:
        if size == width * channels * height:
            raise ImageMessageError("step", f"image step {step} does not match the data: {size} bytes are "
                                    f"{height} rows of width*channels = {width * channels} bytes")
        kind = "truncated" if size < step * height else "step"
        raise ImageMessageError(kind, f"image data has {size} bytes but step*height = {step}*{height} = "
                                f"{step * height} ({'truncated' if kind == 'truncated' else 'size mismatch'})")
    rows = np.frombuffer(msg.data, np.uint8).reshape(height, step)
    pixels = rows[:, :width * channels]
    if msg.encoding == "bgr8":
        return pixels.reshape(height, width, 3)
    if msg.encoding == "mono16":
        dtype = np.dtype(">u2" if msg.is_bigendian else "<u2")
        grey = (np.ascontiguousarray(pixels).view(dtype).reshape(height, width) >> 8).astype(np.uint8)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if channels == 1:
        return cv2.cvtColor(np.ascontiguousarray(pixels), _TO_BGR[msg.encoding])
    return cv2.cvtColor(pixels.reshape(height, width, channels), _TO_BGR[msg.encoding])


def compressed_size(data: bytes) -> tuple[str, int, int] | None:
    """
    Return (format, width, height) read from a PNG or JPEG header without decoding, or None when neither.

    PNG: the IHDR chunk; JPEG: the first start-of-frame marker (SOF0-SOF15 except DHT, JPG and DAC).
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        if len(data) < 24 or data[12:16] != b"IHDR":
            return "png", -1, -1
        return "png", int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] != b"\xff\xd8":
        return None
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return "jpeg", -1, -1
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > end:
                break
            return "jpeg", int.from_bytes(data[pos + 7:pos + 9], "big"), int.from_bytes(data[pos + 5:pos + 7], "big")
        if marker == 0xDA or length < 2:  # scan data before any frame header, or a broken length
            break
        pos += 2 + length
    return "jpeg", -1, -1


def compressed_to_bgr(msg: CompressedImage, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """
    Decode a jpeg or png sensor_msgs/CompressedImage into an HxWx3 BGR uint8 frame.

    The data must be of the format the ``format`` field names, and the size in its header within
    ``max_pixels``: both are checked before anything is decoded (a small PNG can inflate to gigabytes).

    :raises ImageMessageError: unsupported or mismatched format, no data, too many pixels, or data that does
        not decode.
    """
    fmt = msg.format.lower()
    shown = msg.format if len(msg.format) <= 64 else msg.format[:64] + "..."
    declared = "png" if "png" in fmt else "jpeg" if ("jpeg" in fmt or "jpg" in fmt) else None
    if declared is None:
        raise ImageMessageError("encoding", f"unsupported compressed format '{shown}'; supported: jpeg, png")
    data = bytes(msg.data) if not isinstance(msg.data, (bytes, bytearray)) else msg.data
    if len(data) == 0:
        raise ImageMessageError("empty", f"compressed image ({shown}) has no data")
    header = compressed_size(data)
    if header is None or header[0] != declared:
        found = "another format" if header is None else header[0]
        raise ImageMessageError("format", f"compressed image labelled '{shown}' holds {found}, not {declared}")
    _, width, height = header
    if width <= 0 or height <= 0:
        raise ImageMessageError("decode", f"compressed image ({declared}, {len(data)} bytes) has no readable "
                                "size in its header: corrupt or truncated")
    _check_pixels(width, height, max_pixels, f"compressed image ({declared})")
    try:
        frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:  # OpenCV's own limits: its assertion text is not for the user
        frame = None
    if frame is None or frame.size == 0:
        raise ImageMessageError("decode", f"compressed image ({declared}, {len(data)} bytes) does not "
                                "decode: corrupt or truncated")
    if frame.shape[0] * frame.shape[1] > max_pixels:
        raise ImageMessageError("too_large", f"compressed image decoded to {frame.shape[1]}x{frame.shape[0]}, "
                                f"over max_image_pixels = {max_pixels:,}")
    return frame


def release_after_large(size: int) -> None:
    """
    Hand freed heap pages back to the system after a message of ``size`` bytes (glibc keeps them otherwise).

    Call once the message and its frame are dropped; under RELEASE_BYTES it does nothing.
    """
    if size >= RELEASE_BYTES and _LIBC is not None:
        gc.collect()
        _LIBC.malloc_trim(0)


def return_large_buffers_to_the_system(threshold: int = MMAP_BYTES) -> bool:
    """
    Make every allocation of ``threshold`` bytes or more a mapping of its own, unmapped when freed (glibc).

    Without it glibc raises its threshold after the first large free, so the buffers of a few 4K/8K frames
    (the middleware's and ours, in several threads' arenas) stay resident at their peak. Smaller buffers come
    from the heap, which keeps up to :data:`TRIM_BYTES` free at its top: a fixed threshold would otherwise
    hand the pages of every 640x480 frame back and fault them in again for the next one. Call once at node
    start; returns False where the C library has no ``mallopt``.
    """
    if _LIBC is None or not hasattr(_LIBC, "mallopt"):
        return False
    return bool(_LIBC.mallopt(_M_MMAP_THRESHOLD, threshold)) and bool(_LIBC.mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))


def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()


def bgr_to_image(frame: np.ndarray, header: Header, encoding: str = "bgr8") -> Image:
    """Build a sensor_msgs/Image from a BGR uint8 frame, converted to ``encoding``."""
    if encoding != "bgr8":
        frame = cv2.cvtColor(frame, _FROM_BGR[encoding])
    frame = np.ascontiguousarray(frame)
    msg = Image(header=header, height=frame.shape[0], width=frame.shape[1], encoding=encoding, is_bigendian=0)
    msg.step = frame.shape[1] * CHANNELS[encoding]
    msg.data = frame.tobytes()
    return msg


def bgr_to_compressed(frame: np.ndarray, header: Header, fmt: str = "jpeg", quality: int = 90) -> CompressedImage:
    """Encode a BGR frame as a jpeg or png sensor_msgs/CompressedImage."""
    ext, params = (".png", []) if fmt == "png" else (".jpg", [cv2.IMWRITE_JPEG_QUALITY, quality])
    ok, buf = cv2.imencode(ext, frame, params)
    if not ok:
        raise InvalidFrameError(f"could not encode a {frame.shape} frame as {fmt}")
    return CompressedImage(header=header, format=f"bgr8; {fmt} compressed bgr8", data=buf.tobytes())


def roi_to_box(roi: RegionOfInterest) -> Box:
    """
    Return the box of a RegionOfInterest.

    :raises InvalidBoxError: zero width or height (which sensor_msgs reads as 'the full image').
    """
    if roi.width == 0 or roi.height == 0:
        raise InvalidBoxError(f"RegionOfInterest has width {roi.width} and height {roi.height}: send the target "
                              "box (a zero size means 'full image' in sensor_msgs)")
    return Box(float(roi.x_offset), float(roi.y_offset), float(roi.width), float(roi.height))


def box_to_roi(box: Box, width: int, height: int) -> RegionOfInterest:
    """Return a RegionOfInterest of the box clipped to a width x height image (rounded to whole pixels)."""
    clipped = box.clipped(width, height)
    x0, y0 = int(round(clipped.x)), int(round(clipped.y))
    x1, y1 = int(round(clipped.x + clipped.w)), int(round(clipped.y + clipped.h))
    return RegionOfInterest(x_offset=x0, y_offset=y0, width=max(x1 - x0, 0), height=max(y1 - y0, 0),
                            do_rectify=False)


def box_to_polygon(box: Box, header: Header) -> PolygonStamped:
    """Return the box as a stamped polygon: four corners in pixels, clockwise from the top-left, z = 0."""
    msg = PolygonStamped(header=header)
    x0, y0, x1, y1 = box.x, box.y, box.x + box.w, box.y + box.h
    corners = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    msg.polygon.points = [Point32(x=float(x), y=float(y), z=0.0) for x, y in corners]
    return msg


def polygon_to_box(msg: PolygonStamped) -> Box:
    """Inverse of :func:`box_to_polygon` (bounding box of the points)."""
    xs = [p.x for p in msg.polygon.points]
    ys = [p.y for p in msg.polygon.points]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def draw_box(frame: np.ndarray, box: Box, label: str, found: bool) -> np.ndarray:
    """Return a copy of ``frame`` with ``box`` drawn (green when found, red when not) and a label above it."""
    out = frame.copy()
    colour = (0, 255, 0) if found else (0, 0, 255)
    p0 = (int(round(box.x)), int(round(box.y)))
    p1 = (int(round(box.x + box.w)), int(round(box.y + box.h)))
    cv2.rectangle(out, p0, p1, colour, 2)
    cv2.putText(out, label, (p0[0], max(p0[1] - 4, 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv2.LINE_AA)
    return out
