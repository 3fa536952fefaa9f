# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Helpers of the node tests: a moving-ellipse scene, model training for the follow model, a harness around the node.

Importing this module claims a ROS_DOMAIN_ID of its own for the test session (a lock file per id) and keeps
DDS on this machine (ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST), so concurrent sessions do not hear each
other. The fixtures are in this folder's conftest.py. The harness runs a real
:class:`TrackerNode` and a test driver node in one private Context, spun by a multi-threaded executor in a
background thread; all traffic between them goes through DDS topics and services.
"""
from __future__ import annotations

import fcntl
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Point, PolygonStamped
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile
from scenes import scene_frame  # the one scene generator (test/scenes.py); re-exported for the node tests
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header

from light_tracker_ros.core.types import Box
from light_tracker_ros.ros import vision
from light_tracker_ros.ros.conversions import bgr_to_compressed, bgr_to_image, polygon_to_box
from light_tracker_ros.ros.diagnostics import status_values
from light_tracker_ros.ros.tracker_node import TrackerNode

ROOT = Path(__file__).resolve().parents[2]


def _claim_domain() -> tuple[int, object]:
    ids = list(range(60, 101))
    random.Random(os.getpid()).shuffle(ids)
    for domain in ids:
        handle = open(f"/tmp/light_tracker_ros_test_domain_{domain}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return domain, handle
    raise RuntimeError("no free ROS domain id in 60..100 for this test session")


# DDS stays on this machine, in a ROS domain of its own for this test session (read by rclpy.init)
DOMAIN_ID, _DOMAIN_LOCK = _claim_domain()
os.environ["ROS_DOMAIN_ID"] = str(DOMAIN_ID)
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault("AMENT_PREFIX_PATH", sys.prefix)

RECIPE = "cnn_tiny Trainer synthetic pairs n=4000 seed=1 augment adamw lr=3e-3 bs=32 steps=400 fp32 v2"
# node settings under which the tiny model follows the scene: fixed box size (size adaptation is not under
# test) and a threshold suited to its modest peak scores
FOLLOW_PARAMS = {"size_smoothing": 0.0, "score_threshold": 0.15}


def core_follow_iou(model: Path, frames: int = 30) -> float:
    """Minimum IoU of the core tracker (no ROS) over the scene with :data:`FOLLOW_PARAMS`."""
    from light_tracker_ros.core.config import TrackerConfig
    from light_tracker_ros.runtime import ModelSpec, create_tracker
    tracker = create_tracker(ModelSpec(str(model)), TrackerConfig(**FOLLOW_PARAMS))
    frame, box = scene_frame(0)
    tracker.init(frame, box)
    ious = []
    for i in range(1, frames):
        frame, box = scene_frame(i)
        ious.append(tracker.update(frame).box.iou(box))
    return min(ious)


def train_follow_model(folder: Path, name: str) -> Path:
    """Train cnn_tiny for a few hundred steps on synthetic pairs (the tests' one tiny-model helper) into ``folder``."""
    import tempfile

    from tiny import train_tiny_model
    with tempfile.TemporaryDirectory() as work:  # pairs and checkpoints are not kept in the cache
        return train_tiny_model(Path(work), steps=400, name=name, pairs=4000, seed=1, lr=3e-3, augment=True,
                                training={"recipe": RECIPE}, models=folder)


def stamp_ns(header: Header) -> int:
    """Nanoseconds of a header stamp."""
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec


class Harness:
    """A tracker node plus a driver node (publishers, subscribers, service clients) spinning in one Context."""

    def __init__(self, context: Context, params: dict[str, Any] | None, node_name: str = "tracker",
                 subscribed: bool = True) -> None:
        """
        Start a tracker node with ``params`` (None: drive ``/node_name`` of another process).

        ``subscribed``: wait until the node subscribes (false for a node that does not autostart).
        """
        self.context = context
        self.driver = Node("test_driver", context=context)  # first: the node then sees reliable publishers
        self.ns = ns = f"/{node_name}"
        qos = QoSProfile(depth=10)
        self.image_pub = self.driver.create_publisher(Image, "/image", qos)
        self.jpeg_pub = self.driver.create_publisher(CompressedImage, "/image/compressed", qos)
        self.roi_pub = self.driver.create_publisher(RegionOfInterest, f"{ns}/init_roi", qos)
        self.click_pub = self.driver.create_publisher(Point, "/image_mouse_left", qos)
        self.boxes: list[PolygonStamped] = []
        self.rois: list[RegionOfInterest] = []
        self.detections: list[Any] = []
        self.diagnostics: list[dict[str, str]] = []
        self.levels: list[bytes] = []
        self._lock = threading.Lock()
        self.driver.create_subscription(PolygonStamped, f"{ns}/box", self._append(self.boxes), qos)
        self.driver.create_subscription(RegionOfInterest, f"{ns}/roi", self._append(self.rois), qos)
        self.driver.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, qos)
        if vision.HAVE_VISION_MSGS:
            self.det_pub = self.driver.create_publisher(vision.Detection2D, f"{ns}/init_detection", qos)
            self.driver.create_subscription(vision.Detection2DArray, f"{ns}/detections",
                                            self._append(self.detections), qos)
        self._status_name = f"{ns}: tracking"
        params = None if params is None else {"allow_model_paths": True, **params}  # tests name models by path
        self.tracker = None if params is None else TrackerNode(
            node_name, context=context, parameter_overrides=[Parameter(k, value=v) for k, v in params.items()])
        self.executor = MultiThreadedExecutor(num_threads=3, context=context)
        if self.tracker is not None:
            self.executor.add_node(self.tracker)
        self.executor.add_node(self.driver)
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()
        if subscribed:
            self.wait_for(lambda: self.image_pub.get_subscription_count() + self.jpeg_pub.get_subscription_count()
                          > 0 and self.roi_pub.get_subscription_count() > 0, 20.0, "the node to subscribe")

    def _spin(self) -> None:
        try:
            self.executor.spin()
        except Exception:  # noqa: BLE001 - the executor stops when the context shuts down
            pass

    def _append(self, target: list) -> Callable[[Any], None]:
        def callback(msg: Any) -> None:
            with self._lock:
                target.append(msg)
        return callback

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name == self._status_name:
                values = status_values(status)
                values["_message"] = status.message
                with self._lock:
                    self.diagnostics.append(values)
                    self.levels.append(status.level)

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until ``predicate()`` holds; fail the test naming ``what`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.01)

    def header(self, frame_id: str = "cam") -> Header:
        """Return a header stamped now."""
        return Header(stamp=self.driver.get_clock().now().to_msg(), frame_id=frame_id)

    def publish(self, frame: np.ndarray, encoding: str = "bgr8", compressed: str = "") -> Header:
        """Publish a frame (raw in ``encoding``, or jpeg/png when ``compressed``); return its header."""
        header = self.header()
        if compressed:
            self.jpeg_pub.publish(bgr_to_compressed(frame, header, compressed))
        else:
            self.image_pub.publish(bgr_to_image(frame, header, encoding))
        return header

    def box_for(self, header: Header, timeout: float = 10.0) -> Box:
        """Return the box published for the frame with ``header`` (waits for it)."""
        want = stamp_ns(header)
        found: list[PolygonStamped] = []

        def ready() -> bool:
            with self._lock:
                found[:] = [b for b in self.boxes if stamp_ns(b.header) == want]
            return bool(found)
        self.wait_for(ready, timeout, f"a box stamped {want}")
        assert found[0].header.frame_id == header.frame_id
        return polygon_to_box(found[0])

    def track_frame(self, frame: np.ndarray, **kwargs: Any) -> tuple[Header, Box]:
        """Publish one frame and return its header and box."""
        header = self.publish(frame, **kwargs)
        return header, self.box_for(header)

    def init_with(self, send_init: Callable[[], None], frame: np.ndarray, timeout: float = 10.0) -> Box:
        """
        Send an initialisation, then the frame (again every 2 s) until a box for it comes back.

        The frame is sent again only if no box came for it (the initialisation had not arrived yet): a second
        copy processed after the initialisation would be an extra update and change the track slightly.
        """
        send_init()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            header = self.publish(frame)
            try:
                return self.box_for(header, timeout=2.0)
            except AssertionError:
                continue
        raise AssertionError("no box after the initialisation")

    def init_roi(self, frame: np.ndarray, box: Box) -> Box:
        """Initialise on ``box`` through ~/init_roi."""
        roi = RegionOfInterest(x_offset=int(box.x), y_offset=int(box.y), width=int(box.w), height=int(box.h))
        return self.init_with(lambda: self.roi_pub.publish(roi), frame)

    def feed_until(self, predicate: Callable[[dict[str, str]], bool], timeout: float = 15.0) -> dict[str, str]:
        """
        Publish scene frames every 0.1 s until a diagnostics message satisfies ``predicate``; return it.

        For checks that need some frames processed: a busy node may drop frames from its depth-1 queue, so
        a fixed number of published frames is not a fixed number of processed ones.
        """
        with self._lock:
            start = len(self.diagnostics)
        deadline = time.monotonic() + timeout
        i = 1
        while time.monotonic() < deadline:
            with self._lock:
                found = [d for d in self.diagnostics[start:] if predicate(d)]
            if found:
                return found[0]
            self.publish(scene_frame(i % 40)[0])
            i += 1
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout:.0f} s feeding frames until the diagnostics matched")

    def latest_diagnostics(self, after: float = 0.0, timeout: float = 15.0,
                           predicate: Callable[[dict[str, str]], bool] = lambda d: True) -> dict[str, str]:
        """Return the first diagnostics values published ``after`` seconds from now that satisfy ``predicate``."""
        with self._lock:
            start = len(self.diagnostics)
        time.sleep(after)
        found: list[dict[str, str]] = []

        def ready() -> bool:
            with self._lock:
                found[:] = [d for d in self.diagnostics[start:] if predicate(d)]
            return bool(found)
        self.wait_for(ready, timeout, "matching diagnostics")
        return found[0]

    def call(self, srv_type: Any, name: str, request: Any, timeout: float = 10.0) -> Any:
        """Call a service of the node through DDS and return the response."""
        client = self.driver.create_client(srv_type, f"{self.ns}/{name}")
        try:
            assert client.wait_for_service(timeout_sec=timeout), f"service {name} not available"
            future = client.call_async(request)
            self.wait_for(future.done, timeout, f"the {name} service")
            return future.result()
        finally:
            self.driver.destroy_client(client)

    def close(self) -> None:
        """Stop spinning and destroy both nodes."""
        self.executor.shutdown(timeout_sec=5.0)
        self._thread.join(timeout=5.0)
        if self.tracker is not None:
            self.tracker.destroy_node()
        self.driver.destroy_node()


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds passed; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
