# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Malformed and unusual images, compressed bombs and bad init boxes against a node in its own process."""
from __future__ import annotations

import math
import zlib
from typing import Any, Callable

import cv2
import numpy as np
import pytest
from geometry_msgs.msg import Point
from reliability_harness import Driver, NodeProcess, Table, wait_until
from sensor_msgs.msg import Image, RegionOfInterest

from light_tracker_ros.ros import vision

FAST_DIAG = {"diagnostics_period": 0.2}


def _counted(driver: Driver, key: str, before: int, timeout: float = 10.0) -> dict[str, str] | None:
    return driver.latest(lambda d: int(float(d.get(key, 0))) > before, timeout)


def _case(table: Table, node: NodeProcess, driver: Driver, frames: Any, name: str, send: Callable[[], None],
          key: str, nudge: Callable[[], None] | None = None) -> tuple[bool, bool, str]:
    """
    Send one input, wait until ``key`` counts it, then check the node lives and still tracks a good frame.

    ``nudge`` (a frame) is sent when the input alone is not counted within a second (an init box is checked
    against the next frame).
    """
    rss = node.rss_mb()
    before, logged = driver.counter(key), len(node.rejections())
    send()
    diag = _counted(driver, key, before, 1.0 if nudge else 10.0)
    if diag is None and nudge is not None:
        nudge()
        diag = _counted(driver, key, before)
    error = (diag or {}).get("last_error", "none")
    if error == "none" and key.startswith("rejected"):  # cleared by the good frame after it: take the log line
        lines = node.rejections()[logged:]
        error = lines[-1] if lines else f"(log throttled; counted in {key})"
    alive = node.alive
    resumed = alive and driver.tracks(*frames)
    table.add(name, alive, resumed, error if diag else f"not counted in {key}", (rss, node.rss_mb()))
    return alive and diag is not None, resumed, error


# (case, Image fields, diagnostics key that must count it); each is a frame the node must reject
RAW_BAD = [
    ("raw 0x0", {"height": 0, "width": 0, "encoding": "bgr8", "step": 0, "data": b""}, "rejected_empty"),
    ("raw 100000x100000 with 100 bytes", {"height": 100000, "width": 100000, "encoding": "bgr8", "step": 300000,
                                          "data": bytes(100)}, "rejected_too_large"),
    ("raw step mismatch", {"height": 10, "width": 10, "encoding": "bgr8", "step": 20, "data": bytes(200)},
     "rejected_step"),
    ("raw truncated", {"height": 10, "width": 10, "encoding": "bgr8", "step": 30, "data": bytes(250)},
     "rejected_truncated"),
    ("raw unknown encoding 32FC1", {"height": 10, "width": 10, "encoding": "32FC1", "step": 40, "data": bytes(400)},
     "rejected_encoding"),
    ("raw 5000-char encoding", {"height": 10, "width": 10, "encoding": "x" * 5000, "step": 30, "data": bytes(300)},
     "rejected_encoding"),
    ("raw yuv422 odd width", {"height": 10, "width": 11, "encoding": "yuv422", "step": 22, "data": bytes(220)},
     "rejected_step"),
]


def _encoded(frame: np.ndarray, encoding: str) -> tuple[bytes, int]:
    """Encode a BGR frame as ``encoding``; return (data, step)."""
    h, w = frame.shape[:2]
    if encoding == "mono16":
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257
        return grey.astype("<u2").tobytes(), w * 2
    if encoding.startswith("bayer_"):
        pattern, index = encoding[6:10], {"r": 2, "g": 1, "b": 0}
        out = np.zeros((h, w), np.uint8)
        for dy in (0, 1):
            for dx in (0, 1):
                out[dy::2, dx::2] = frame[dy::2, dx::2, index[pattern[2 * dy + dx]]]
        return out.tobytes(), w
    yuv = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420)  # planar 4:2:0 -> packed 4:2:2 by repeating chroma rows
    y = yuv[:h]
    u = yuv[h:h + h // 4].reshape(h // 2, w // 2).repeat(2, axis=0)
    v = yuv[h + h // 4:].reshape(h // 2, w // 2).repeat(2, axis=0)
    out = np.zeros((h, w * 2), np.uint8)
    if encoding == "yuv422":
        out[:, 0::4], out[:, 1::2], out[:, 2::4] = u, y, v
    else:
        out[:, 0::2], out[:, 1::4], out[:, 3::4] = y, u, v
    return out.tobytes(), w * 2


def test_malformed_raw_images(start_node, frames, table: Table) -> None:
    """Every malformed raw image is rejected and counted by kind; the node lives and tracks the next frame."""
    node, driver = start_node(**FAST_DIAG)
    assert driver.tracks(*frames)
    failures = []
    for name, fields, key in RAW_BAD:
        counted, resumed, _ = _case(table, node, driver, frames, name, lambda f=fields: driver.publish_raw(**f), key)
        if not (counted and resumed):
            failures.append(name)
    for name, send in [("raw big-endian flag bgr8", lambda: driver.publish_raw(
            height=120, width=160, encoding="bgr8", is_bigendian=1, step=480, data=frames[0][0].tobytes())),
            ("raw 1x1", lambda: driver.publish_raw(height=1, width=1, encoding="bgr8", step=3, data=bytes(3))),
            ("raw all-black 640x480", lambda: driver.publish_frame(np.zeros((480, 640, 3), np.uint8)))]:
        counted, resumed, _ = _case(table, node, driver, frames, name, send, "frames_processed")
        if not (counted and resumed):
            failures.append(name)
    assert not failures, f"cases not survived/counted/resumed: {failures}\n{node.text()[-2000:]}"
    assert "Traceback" not in node.text()


def test_camera_encodings_are_tracked(start_node, frames, table: Table) -> None:
    """Frames in each camera encoding are converted and tracked: a box comes back with their stamp."""
    node, driver = start_node(**FAST_DIAG)
    images, box = frames
    missing = []
    for encoding in ("yuv422", "yuv422_yuy2", "bayer_rggb8", "bayer_bggr8", "bayer_gbrg8", "bayer_grbg8", "mono16"):
        rss = node.rss_mb()
        sent = driver.init_box(*box)
        got = None
        for frame in images[:10]:
            data, step = _encoded(frame, encoding)
            header = driver.header()
            driver.image_pub.publish(Image(header=header, height=frame.shape[0], width=frame.shape[1],
                                           encoding=encoding, is_bigendian=0, step=step, data=data))
            got = driver.box_after(sent, 1.0, lambda m, s=header.stamp.sec: m.header.stamp.sec == s)
            if got is not None:
                break
            driver.init_box(*box)
        table.add(f"encoding {encoding}", node.alive, got is not None, "", (rss, node.rss_mb()))
        if got is None:
            missing.append(encoding)
    assert not missing, f"no box for {missing} frames\n{node.text()[-2000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("size", [(2160, 3840), (4320, 7680)])
def test_4k_and_8k_frames_are_processed_and_memory_released(start_node, frames, table: Table, size) -> None:
    """4K and 8K frames are processed; after them RSS is back within one frame (the middleware's buffer) + 40 MB."""
    node, driver = start_node(**FAST_DIAG)
    assert driver.tracks(*frames)
    rss = node.rss_mb()
    big = np.zeros((*size, 3), np.uint8)
    resent = 0
    for _ in range(3):
        before = driver.counter("frames_processed")
        driver.publish_frame(big)
        while _counted(driver, "frames_processed", before, 10.0) is None and resent < 3:
            resent += 1  # a busy node keeps only the newest frame: send it again
            driver.publish_frame(big)
        assert resent < 3, f"{driver.latest()}\n{node.text()[-2000:]}"
    resumed = driver.tracks(*frames)
    after = node.rss_mb()
    table.add(f"raw {size[1]}x{size[0]} x3", node.alive, resumed, f"{resent} sent again" if resent else "",
              (rss, after))
    # what stays is the middleware's one reusable sample buffer of the largest frame (Fast DDS keeps it)
    frame_mb = big.nbytes / 2 ** 20
    assert resumed and after - rss < frame_mb + 40.0, f"RSS {rss:.0f} -> {after:.0f} MB ({frame_mb:.0f} MB frames)"


def png_bomb(width: int, height: int) -> bytes:
    """Return a valid 1-bit grey PNG of width x height zeros: tens of KB compressed, gigabytes decoded as BGR."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    packer = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _compressed_cases(frame: np.ndarray) -> list[tuple[str, str, bytes, str]]:
    jpeg = cv2.imencode(".jpg", frame)[1].tobytes()
    png = cv2.imencode(".png", frame)[1].tobytes()
    bomb = png_bomb(20000, 20000)
    return [
        (f"png bomb 20000x20000 ({len(bomb) // 1024} KB)", "png", bomb, "rejected_too_large"),
        ("jpeg header 60000x60000", "jpeg", jpeg[:2] + b"\xff\xc0\x00\x11\x08" + (60000).to_bytes(2, "big") * 2
         + bytes(12), "rejected_too_large"),
        ("garbage labelled jpeg", "jpeg", b"\xff\xd8\xff" + bytes(range(256)) * 4, "rejected_decode"),
        ("truncated jpeg", "jpeg", jpeg[:len(jpeg) // 3], "rejected_decode"),
        ("truncated png", "png", png[:40], "rejected_decode"),
        ("empty data", "jpeg", b"", "rejected_empty"),
        ("bmp labelled jpeg", "jpeg", cv2.imencode(".bmp", frame)[1].tobytes(), "rejected_format"),
        ("tiff labelled jpeg", "jpeg", cv2.imencode(".tiff", frame)[1].tobytes(), "rejected_format"),
        ("ppm labelled jpeg", "jpeg", cv2.imencode(".ppm", frame)[1].tobytes(), "rejected_format"),
        ("format 'rgb8; webp'", "rgb8; webp", jpeg, "rejected_encoding"),
    ]


def test_compressed_bombs_and_mislabelled_formats(start_node, frames, table: Table) -> None:
    """Bombs are refused from their header (RSS unchanged), mislabelled formats refused, garbage counted."""
    node, driver = start_node(image_transport="compressed", **FAST_DIAG)
    images, box = frames
    jpegs = [cv2.imencode(".jpg", f)[1].tobytes() for f in images]

    def tracks() -> bool:
        sent = driver.init_box(*box)
        for data in jpegs[:15]:
            driver.publish_compressed("jpeg", data)
            if driver.box_after(sent, 0.5) is not None:
                return True
        return False

    driver.tracks = lambda *_: tracks()  # the compressed node tracks jpeg frames
    assert tracks()
    failures = []
    for name, fmt, data, key in _compressed_cases(images[0]):
        rss = node.rss_mb()
        counted, resumed, error = _case(table, node, driver, frames, f"compressed {name}", lambda f=fmt, d=data:
                                        driver.publish_compressed(f, d), key)
        grew = node.rss_mb() - rss
        if not (counted and resumed) or "cv2" in error or "internal" in error or grew > 50.0:
            failures.append((name, error, grew))
    assert not failures, f"{failures}\n{node.text()[-2000:]}"


BAD_BOXES = [
    ("init box outside the image", RegionOfInterest(x_offset=5000, y_offset=5000, width=20, height=20)),
    ("init box zero size", RegionOfInterest(x_offset=10, y_offset=10, width=0, height=0)),
    ("init box huge", RegionOfInterest(x_offset=0, y_offset=0, width=2 ** 32 - 1, height=2 ** 32 - 1)),
]


def test_bad_init_boxes(start_node, frames, table: Table) -> None:
    """Zero, outside, huge init boxes, NaN/Inf clicks and detections are rejected (or clipped) and counted."""
    node, driver = start_node(**FAST_DIAG)
    assert driver.tracks(*frames)
    failures = []
    clicks = [(f"click point {v}", Point(x=v, y=10.0)) for v in (float("nan"), float("inf"))]
    detections = []
    if vision.HAVE_VISION_MSGS:
        publisher = driver.node.create_publisher(vision.Detection2D, f"{driver.ns}/init_detection", 10)
        assert wait_until(lambda: publisher.get_subscription_count() > 0, 10.0)
        for label, values in (("nan centre", (float("nan"), 10.0, 20.0, 20.0)),
                              ("inf size", (50.0, 50.0, float("inf"), 20.0)), ("size 1e300", (50.0, 50.0, 1e300, 1.0))):
            det = vision.Detection2D()
            det.bbox.center.position.x, det.bbox.center.position.y = values[:2]
            det.bbox.size_x, det.bbox.size_y = values[2:]
            detections.append((f"init detection {label}", det))
    for name, roi in BAD_BOXES + clicks + detections:
        def send(r: Any = roi) -> None:
            pub = (driver.click_pub if isinstance(r, Point) else driver.roi_pub if isinstance(r, RegionOfInterest)
                   else publisher)
            pub.publish(r)
        key = "frames_processed" if name == "init box huge" else "rejected_box"
        counted, resumed, _ = _case(table, node, driver, frames, name, send, key,
                                    lambda: driver.publish_frame(frames[0][1]))
        if not (counted and resumed):
            failures.append(name)
    if node.alive:
        diag = driver.latest() or {}
        box = [float(v) for v in diag.get("box_xywh", "0,0,0,0").split(",")]
        assert all(math.isfinite(v) for v in box)
    assert not failures, f"{failures}\n{node.text()[-2000:]}"
