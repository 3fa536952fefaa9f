# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The reliability suite's parts: the node in its own process, a driver over real DDS, and the result table.

Everything runs in ROS domain 12 on this machine only. The node is ``tracker_node`` started with
``python -m`` (a separate process, as on a robot); the driver publishes frames and boxes, sets parameters and
calls services from the test process, and reads the node's ``/diagnostics``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import rclpy
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Point, PolygonStamped
from rcl_interfaces.srv import SetParameters
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header
from std_srvs.srv import SetBool

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_ID = 12
ENV = dict(os.environ, ROS_DOMAIN_ID=str(DOMAIN_ID), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
           PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
#: the node's model and settings for every case: a shipped model by name; score 0 so every frame gives a box
BASE_PARAMS = {"model": "cnn_parent_p10", "score_threshold": 0.0, "publish_debug_image": False}


@dataclass
class Row:
    """One line of the printed table."""

    case: str
    survived: bool
    resumed: bool | None
    error: str
    rss_before: float
    rss_after: float


@dataclass
class Table:
    """The rows of a session, printed at its end."""

    rows: list[Row] = field(default_factory=list)

    def add(self, case: str, survived: bool, resumed: bool | None, error: str, rss: tuple[float, float]) -> None:
        """Record one case; ``error`` is the refusal text the node gave (cut to one line)."""
        self.rows.append(Row(case, survived, resumed, " ".join(error.split())[:110], *rss))

    def lines(self) -> list[str]:
        """Return the table as aligned text lines."""
        out = [f"{'case':<44} {'survived':<8} {'resumed':<8} {'RSS MB before/after':<20} error text"]
        for r in self.rows:
            resumed = "-" if r.resumed is None else "yes" if r.resumed else "NO"
            out.append(f"{r.case:<44} {'yes' if r.survived else 'NO':<8} {resumed:<8} "
                       f"{r.rss_before:>7.0f} / {r.rss_after:<9.0f} {r.error or '-'}")
        return out


class NodeProcess:
    """``tracker_node`` in its own process (ROS domain 12), its stderr kept in a file for leak checks."""

    def __init__(self, log_dir: Path, name: str = "tracker", **params: Any) -> None:
        self.name = name
        self.log = log_dir / f"{name}-{time.monotonic_ns()}.log"
        args = ["-r", f"__node:={name}"]
        for key, value in {**BASE_PARAMS, **params}.items():
            args += ["-p", f"{key}:={_ros_value(value)}"]
        self._log_handle = open(self.log, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "light_tracker_ros.ros.tracker_node", "--ros-args",
                                      *args], cwd=ROOT, env=ENV, stdout=self._log_handle, stderr=subprocess.STDOUT)

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of the node process in MB (nan once it has exited)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return float("nan")

    def text(self) -> str:
        """Everything the node logged so far."""
        self._log_handle.flush()
        return self.log.read_text(errors="replace")

    def rejections(self) -> list[str]:
        """Return the 'rejected ...' lines the node logged so far (text without the log prefix)."""
        return [line.split("]: ", 1)[-1] for line in self.text().splitlines() if "rejected" in line]

    def signal(self, sig: int, timeout: float = 20.0) -> int | None:
        """Send ``sig`` and wait for the exit code (None if it did not exit in time)."""
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """End the process (SIGINT, then SIGKILL) and close the log."""
        if self.alive:
            if self.signal(signal.SIGINT, 10.0) is None:
                self.proc.kill()
                self.proc.wait()
        self._log_handle.close()


def _ros_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ",".join(f"'{v}'" for v in value) + "]"
    return str(value)


class Driver:
    """The test side over real DDS: publishes frames and boxes, sets parameters, calls services, reads diagnostics."""

    def __init__(self, node_name: str = "tracker") -> None:
        self.context = Context()
        rclpy.init(context=self.context, domain_id=DOMAIN_ID)
        self.node = rclpy.create_node(f"reliability_driver_{os.getpid()}", context=self.context)
        self.ns = f"/{node_name}"
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.image_pub = self.node.create_publisher(Image, "/image", reliable)
        self.jpeg_pub = self.node.create_publisher(CompressedImage, "/image/compressed", reliable)
        self.roi_pub = self.node.create_publisher(RegionOfInterest, f"{self.ns}/init_roi", reliable)
        self.click_pub = self.node.create_publisher(Point, "/image_mouse_left", reliable)
        self.boxes: list[tuple[float, PolygonStamped]] = []
        self.diagnostics: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self.node.create_subscription(PolygonStamped, f"{self.ns}/box", self._on_box, reliable)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, reliable)
        self.params = self.node.create_client(SetParameters, f"{self.ns}/set_parameters")
        self.enable = self.node.create_client(SetBool, f"{self.ns}/enable")
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()
        self.stamp = 1

    def _spin(self) -> None:
        try:
            self.executor.spin()
        except Exception:  # noqa: BLE001 - shutdown while spinning
            pass

    def _on_box(self, msg: PolygonStamped) -> None:
        with self._lock:
            self.boxes.append((time.perf_counter(), msg))

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name == f"{self.ns}: tracking":
                values = {kv.key: kv.value for kv in status.values}
                values["_message"], values["_level"] = status.message, str(int.from_bytes(status.level, "little"))
                with self._lock:
                    self.diagnostics.append(values)

    def close(self) -> None:
        """Shut the driver's context down."""
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)

    # ------------------------------------------------------------------ waiting
    def wait_ready(self, timeout: float = 40.0) -> bool:
        """Wait until the node's parameter service and image subscription are there."""
        return wait_until(lambda: self.params.service_is_ready() and self.roi_pub.get_subscription_count() > 0
                          and self.image_pub.get_subscription_count() + self.jpeg_pub.get_subscription_count() > 0,
                          timeout)

    def latest(self, predicate: Callable[[dict[str, str]], bool] = lambda d: True,
               timeout: float = 10.0) -> dict[str, str] | None:
        """Return the first diagnostics message from now on that satisfies ``predicate`` (None on timeout)."""
        with self._lock:
            start = len(self.diagnostics)
        found: list[dict[str, str]] = []

        def check() -> bool:
            with self._lock:
                found.extend(d for d in self.diagnostics[start:] if predicate(d))
                return bool(found)
        return found[0] if wait_until(check, timeout) else None

    def counter(self, key: str, timeout: float = 5.0) -> int:
        """Return the newest value of an integer diagnostics key (0 when absent)."""
        diag = self.latest(timeout=timeout) or {}
        return int(float(diag.get(key, 0)))

    # ------------------------------------------------------------------ sending
    def header(self) -> Header:
        """Return a header with a new, increasing stamp."""
        self.stamp += 1
        return Header(stamp=Time(sec=self.stamp, nanosec=0), frame_id="camera")

    def publish_frame(self, frame: np.ndarray, encoding: str = "bgr8") -> Header:
        """Publish a BGR frame as a bgr8 sensor_msgs/Image; return its header."""
        header = self.header()
        msg = Image(header=header, height=frame.shape[0], width=frame.shape[1], encoding=encoding, is_bigendian=0,
                    step=frame.shape[1] * 3, data=frame.tobytes())
        self.image_pub.publish(msg)
        return header

    def publish_raw(self, **fields: Any) -> None:
        """Publish a hand-made Image (any field may be malformed)."""
        self.image_pub.publish(Image(header=self.header(), **fields))

    def publish_compressed(self, fmt: str, data: bytes) -> None:
        """Publish a CompressedImage with any format label and data."""
        self.jpeg_pub.publish(CompressedImage(header=self.header(), format=fmt, data=data))

    def set_param(self, name: str, value: Any, timeout: float = 30.0) -> tuple[bool, str, float]:
        """Set one parameter through the node's service; return (successful, reason, seconds taken)."""
        request = SetParameters.Request(parameters=[Parameter(name, value=value).to_parameter_msg()])
        t0 = time.perf_counter()
        future = self.params.call_async(request)
        if not wait_until(future.done, timeout):
            return False, "no answer", time.perf_counter() - t0
        result = future.result().results[0]
        return result.successful, result.reason, time.perf_counter() - t0

    def call_enable(self, value: bool, timeout: float = 10.0) -> tuple[bool, float]:
        """Call ~/enable; return (success, seconds until the answer)."""
        t0 = time.perf_counter()
        future = self.enable.call_async(SetBool.Request(data=value))
        if not wait_until(future.done, timeout, 0.001):
            return False, float("inf")
        return future.result().success, time.perf_counter() - t0

    def init_box(self, x: int, y: int, w: int, h: int) -> float:
        """Publish an init box; return the time it was sent."""
        self.roi_pub.publish(RegionOfInterest(x_offset=x, y_offset=y, width=w, height=h))
        return time.perf_counter()

    def box_after(self, sent: float, timeout: float, predicate: Callable[[PolygonStamped], bool] = lambda m: True
                  ) -> tuple[float, PolygonStamped] | None:
        """Return the first (arrival time, box) received after ``sent`` that satisfies ``predicate``."""
        found: list[tuple[float, PolygonStamped]] = []

        def check() -> bool:
            with self._lock:
                found.extend(b for b in self.boxes if b[0] >= sent and predicate(b[1]))
            return bool(found)
        return found[0] if wait_until(check, timeout, 0.001) else None

    def tracks(self, frames: list[np.ndarray], box: tuple[int, int, int, int], timeout: float = 8.0) -> bool:
        """Initialise on ``box`` and feed frames until a box stamped with one of them comes back."""
        deadline = time.monotonic() + timeout
        sent = time.perf_counter()
        self.init_box(*box)
        i = 0
        while time.monotonic() < deadline:
            header = self.publish_frame(frames[i % len(frames)])
            stamp = header.stamp.sec
            got = self.box_after(sent, 0.3, lambda m, s=stamp: m.header.stamp.sec == s)
            if got is not None:
                return True
            i += 1
            if i % 5 == 0:
                self.init_box(*box)
        return False


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
