# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Runs the sample camera and the tracker node in one process (no launch needed) and reports what they do."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PolygonStamped
from rclpy.context import Context
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter

from light_tracker_ros.core.types import Box
from light_tracker_ros.ros.conversions import polygon_to_box
from light_tracker_ros.ros.diagnostics import status_values
from light_tracker_ros.ros.sample_camera import SampleCamera
from light_tracker_ros.ros.stats import Window
from light_tracker_ros.ros.tracker_node import TrackerNode


@dataclass
class MonitorTotals:
    """What the monitor saw: boxes, their latency (receive time minus image stamp, ms) and IoU with the truth."""

    boxes: int = 0
    latency: Window = field(default_factory=lambda: Window(100000))
    ious: list[float] = field(default_factory=list)
    last_box: Box | None = None
    last_iou: float = float("nan")
    diagnostics: dict[str, str] = field(default_factory=dict)


class Monitor(Node):
    """Listens to the tracker's ~/box and /diagnostics; scores boxes against the sample camera's ground truth."""

    def __init__(self, tracker_name: str, camera: SampleCamera | None = None, **kwargs: Any) -> None:
        super().__init__("tracker_monitor", **kwargs)
        self.camera = camera
        self.totals = MonitorTotals()
        self.second = MonitorTotals()
        self._status_name = f"{tracker_name}: tracking"
        self.create_subscription(PolygonStamped, f"{tracker_name}/box", self._on_box, 10)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 10)

    def _on_box(self, msg: PolygonStamped) -> None:
        stamp_ns = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
        latency = (self.get_clock().now().nanoseconds - stamp_ns) * 1e-6
        box = polygon_to_box(msg)
        iou = float("nan")
        index = self.camera.frame_index(stamp_ns) if self.camera else None
        truth = self.camera.box(index) if index is not None else None
        if truth is not None:
            iou = box.iou(truth)
        for totals in (self.totals, self.second):
            totals.boxes += 1
            totals.latency.add(latency)
            totals.last_box, totals.last_iou = box, iou
            if iou == iou:
                totals.ious.append(iou)

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name == self._status_name:
                self.totals.diagnostics = status_values(status)
                self.totals.diagnostics["_message"] = status.message

    def take_second(self) -> MonitorTotals:
        """Return the statistics since the previous call."""
        second, self.second = self.second, MonitorTotals()
        return second


def _num(values: dict[str, str], key: str) -> str:
    try:
        return f"{float(values[key]):.1f}"
    except (KeyError, ValueError):
        return "?"


def _line(elapsed: float, second: MonitorTotals, d: dict[str, str], published: int) -> str:
    box = "none" if second.last_box is None else "({:.0f}, {:.0f}, {:.0f}, {:.0f})".format(*second.last_box.as_tuple())
    iou = "" if second.last_iou != second.last_iou else f" IoU {second.last_iou:.2f}"
    return (f"[{elapsed:4.0f} s] camera {published:2d} fps | tracker {_num(d, 'processing_rate_hz')} Hz | latency "
            f"p50 {_num(d, 'latency_end_to_end_p50_ms')} ms p95 {_num(d, 'latency_end_to_end_p95_ms')} ms "
            f"(inference {_num(d, 'latency_inference_p50_ms')}) | {d.get('tracking_state', '?')} "
            f"{_num(d, 'score')} | box {box}{iou}")


def run_demo(model: str, backend: str = "onnxruntime", duration: float = 10.0, rate: float = 10.0,
             num_threads: int = 1, models_dir: str = "", domain_id: int | None = None, width: int = 0,
             height: int = 0, out: Callable[[str], None] = print) -> dict[str, Any]:
    """
    Run camera + tracker + monitor for ``duration`` seconds (or until Ctrl-C); print and return a summary.

    :raises RuntimeError: the model cannot be loaded (the message says why).
    """
    context = Context()
    rclpy.init(context=context, domain_id=domain_id)
    nodes: list[Node] = []
    try:
        camera = SampleCamera(context=context, parameter_overrides=[
            Parameter("rate", value=float(rate)), Parameter("width", value=width), Parameter("height", value=height),
            Parameter("init_topic", value="tracker/init_roi")])
        nodes.append(camera)
        tracker = TrackerNode(context=context, parameter_overrides=[
            Parameter("model", value=model), Parameter("backend", value=backend),
            Parameter("num_threads", value=num_threads), Parameter("allow_model_paths", value=True)]
            + ([Parameter("model_dirs", value=[models_dir])] if models_dir else []))
        nodes.append(tracker)
        status = tracker.tracking_status()
        if status.card is None:
            raise RuntimeError(status.last_error)
        monitor = Monitor(tracker.get_fully_qualified_name(), camera, context=context)
        nodes.append(monitor)
        out(f"model {status.model} ({status.card.family}, {status.backend}); clip {camera.clip.name} "
            f"{camera.clip.size[0]}x{camera.clip.size[1]} at {rate:g} Hz; ROS_DOMAIN_ID {context.get_domain_id()}")
        executor = MultiThreadedExecutor(num_threads=2, context=context)
        for node in nodes:
            executor.add_node(node)
        start = next_report = time.monotonic()
        published = 0
        try:
            while time.monotonic() - start < duration and context.ok():
                executor.spin_once(timeout_sec=0.05)
                if time.monotonic() >= next_report + 1.0:
                    next_report += 1.0
                    out(_line(next_report - start, monitor.take_second(), monitor.totals.diagnostics,
                              camera.published - published))
                    published = camera.published
        except (KeyboardInterrupt, ExternalShutdownException):
            out("interrupted")
        executor.shutdown(timeout_sec=5.0)  # waits for callbacks under way, before the nodes go
        return _summary(monitor, camera, tracker.counters(), time.monotonic() - start, out)
    finally:
        for node in reversed(nodes):
            node.destroy_node()
        rclpy.try_shutdown(context=context)


def _summary(monitor: Monitor, camera: SampleCamera, counters: dict[str, int], elapsed: float,
             out: Callable[[str], None]) -> dict[str, Any]:
    totals, diag = monitor.totals, monitor.totals.diagnostics
    lat = totals.latency.summary()
    ious = totals.ious
    summary = {
        "seconds": elapsed, "frames_published": camera.published, "boxes": totals.boxes,
        **{f"frames_{key}": value for key, value in counters.items()},
        "latency_p50_ms": lat["p50"], "latency_p95_ms": lat["p95"], "latency_max_ms": lat["max"],
        "inference_p50_ms": diag.get("latency_inference_p50_ms", "n/a"),
        "node_overhead_p50_ms": diag.get("latency_node_overhead_p50_ms", "n/a"),
        "mean_iou": sum(ious) / len(ious) if ious else float("nan"),
        "iou_over_0.5": sum(i > 0.5 for i in ious) / len(ious) if ious else float("nan"),
        "status": diag.get("_message", "n/a"), "torch_imported": diag.get("torch_imported", "n/a"),
    }
    out(f"summary after {elapsed:.1f} s: camera published {summary['frames_published']} frames, tracker received "
        f"{summary['frames_received']}, processed {summary['frames_processed']}, dropped {summary['frames_dropped']}, "
        f"missed {summary['frames_missed']}, "
        f"rejected {summary['frames_rejected']}; {totals.boxes} boxes")
    out(f"  latency in the node (image stamp to publish) p50 {_num(diag, 'latency_end_to_end_p50_ms')} ms, p95 "
        f"{_num(diag, 'latency_end_to_end_p95_ms')} ms; inference p50 {_num(diag, 'latency_inference_p50_ms')} ms; "
        f"node overhead p50 {_num(diag, 'latency_node_overhead_p50_ms')} ms; boxes received here p50 "
        f"{lat['p50']:.1f} ms after their image")
    out(f"  IoU with the clip's ground truth: mean {summary['mean_iou']:.2f}, {summary['iou_over_0.5']:.0%} of "
        f"boxes over 0.5; tracker status: {summary['status']}; torch imported: {summary['torch_imported']}")
    return summary
