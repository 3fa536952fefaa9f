# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Message <-> numpy conversions without cv_bridge: images (raw and compressed), boxes and ROIs.

Frames are BGR uint8 numpy arrays, boxes are :class:`~light_tracker_ros.core.types.Box` in image pixels
(x, y = top-left corner).
"""
from __future__ import annotations

import cv2
import numpy as np
from geometry_msgs.msg import Point32, PolygonStamped
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header

from light_tracker_ros.core.errors import InvalidBoxError, InvalidFrameError
from light_tracker_ros.core.types import Box

CHANNELS = {"bgr8": 3, "rgb8": 3, "mono8": 1, "rgba8": 4, "bgra8": 4}
_TO_BGR = {"rgb8": cv2.COLOR_RGB2BGR, "mono8": cv2.COLOR_GRAY2BGR, "rgba8": cv2.COLOR_RGBA2BGR,
           "bgra8": cv2.COLOR_BGRA2BGR}
_FROM_BGR = {"rgb8": cv2.COLOR_BGR2RGB, "mono8": cv2.COLOR_BGR2GRAY, "rgba8": cv2.COLOR_BGR2RGBA,
             "bgra8": cv2.COLOR_BGR2BGRA}


class ImageMessageError(InvalidFrameError):
    """An image message that cannot become a frame; ``kind`` names the problem for counting."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def image_to_bgr(msg: Image) -> np.ndarray:
    """
    Return the frame of a sensor_msgs/Image as HxWx3 BGR uint8 (a zero-copy view for bgr8).

    :raises ImageMessageError: unsupported encoding, empty image, step or data size that does not match.
    """
    channels = CHANNELS.get(msg.encoding)
    if channels is None:
        raise ImageMessageError("encoding", f"unsupported image encoding '{msg.encoding}'; supported: "
                                f"{', '.join(CHANNELS)} (convert upstream, e.g. with image_proc, or publish bgr8)")
    width, height, step = int(msg.width), int(msg.height), int(msg.step)
    if width == 0 or height == 0:
        raise ImageMessageError("empty", f"empty image ({width}x{height})")
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
    frame = rows[:, :width * channels].reshape(height, width, channels)
    if msg.encoding == "bgr8":
        return frame
    if channels == 1:
        frame = frame.reshape(height, width)
    return cv2.cvtColor(frame, _TO_BGR[msg.encoding])


def compressed_to_bgr(msg: CompressedImage) -> np.ndarray:
    """
    Decode a jpeg or png sensor_msgs/CompressedImage into an HxWx3 BGR uint8 frame.

    :raises ImageMessageError: unsupported format, no data, or data that does not decode.
    """
    fmt = msg.format.lower()
    if not any(name in fmt for name in ("jpeg", "jpg", "png")):
        raise ImageMessageError("encoding", f"unsupported compressed format '{msg.format}'; supported: jpeg, png")
    if len(msg.data) == 0:
        raise ImageMessageError("empty", f"compressed image ({msg.format}) has no data")
    frame = cv2.imdecode(np.frombuffer(msg.data, np.uint8), cv2.IMREAD_COLOR)
    if frame is None or frame.size == 0:
        raise ImageMessageError("decode", f"compressed image ({msg.format}, {len(msg.data)} bytes) does not "
                                "decode: corrupt or truncated")
    return frame


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
