# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The ROS 2 tracking node: camera frames in; box, detections, debug image and diagnostics out.

Image callbacks only store the newest message; a worker thread converts it, runs the tracker and publishes,
so latency stays bounded when the camera is faster than the model. Parameter changes of the model load a new
tracker beside the running one, which replaces it between two frames.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Point, PolygonStamped
from rcl_interfaces.msg import SetParametersResult
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.exceptions import ParameterException
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header
from std_srvs.srv import SetBool, Trigger

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError, InvalidBoxError, TrackerError
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState
from light_tracker_ros.ros import parameters, vision
from light_tracker_ros.ros.conversions import (ImageMessageError, bgr_to_image, box_to_polygon, box_to_roi,
                                               compressed_to_bgr, draw_box, image_to_bgr, roi_to_box)
from light_tracker_ros.ros.diagnostics import NodeStats, TrackingStatus, build_status
from light_tracker_ros.ros.model_loader import ModelManager
from light_tracker_ros.ros.spin import spin_until_shutdown
from light_tracker_ros.ros.stats import LatestSlot, Throttle


class TrackerNode(Node):
    """Single-object tracker node; see the README for topics, services and parameters."""

    def __init__(self, node_name: str = "tracker", **kwargs: Any) -> None:
        super().__init__(node_name, **kwargs)
        self.tracker_config, self.config = parameters.declare(self)
        self.stats = NodeStats()
        self._slot: LatestSlot[tuple[Any, float, bool]] = LatestSlot()
        self._throttle = Throttle(2.0)
        self._models = ModelManager()
        self._lock = threading.Lock()
        self._pending_init: tuple[Box, str, str] | None = None
        self._reset_requested = False
        self._enabled = True
        self._track_count = 0
        self._track_id = ""
        self._class_id = ""
        self._last_score = float("nan")
        self._last_error = ""
        self._paused_frames = 0
        self._load_initial_model()

        cfg, reliable = self.config, QoSProfile(depth=10)
        self._roi_pub = self.create_publisher(RegionOfInterest, "~/roi", reliable)
        self._box_pub = self.create_publisher(PolygonStamped, "~/box", reliable)
        self._debug_pub = self.create_publisher(Image, "~/debug_image",
                                                QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", reliable)
        self._det_pub = (self.create_publisher(vision.Detection2DArray, "~/detections", reliable)
                         if vision.HAVE_VISION_MSGS else None)
        frames = MutuallyExclusiveCallbackGroup()  # frames keep arriving while a parameter change loads a model
        qos = parameters.image_qos(cfg)
        if cfg.image_transport == "compressed":
            topic = cfg.image_topic.rstrip("/") + "/compressed"
            self.create_subscription(CompressedImage, topic, lambda m, info: self._on_frame(m, info, True), qos,
                                     callback_group=frames)
        else:
            self.create_subscription(Image, cfg.image_topic, lambda m, info: self._on_frame(m, info, False), qos,
                                     callback_group=frames)
        self.create_subscription(RegionOfInterest, "~/init_roi", self._on_init_roi, reliable)
        if cfg.click_topic:
            self.create_subscription(Point, cfg.click_topic, self._on_click, reliable)
        if vision.HAVE_VISION_MSGS:
            self.create_subscription(vision.Detection2D, "~/init_detection", self._on_init_detection, reliable)
            if cfg.handoff_topic:
                self.create_subscription(vision.Detection2DArray, cfg.handoff_topic, self._on_handoff,
                                         qos_profile_sensor_data)
        else:
            self.get_logger().info("vision_msgs is not installed: ~/detections, ~/init_detection and the detector "
                                   "hand-off are switched off (~/roi and ~/box are published)")
        self.create_service(Trigger, "~/reset", self._on_reset)
        self.create_service(SetBool, "~/enable", self._on_enable)
        self.create_timer(cfg.diagnostics_period, self._publish_diagnostics)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run, name="tracker-worker", daemon=True)
        self._worker.start()

    # ------------------------------------------------------------------ model and parameters
    def _load_initial_model(self) -> None:
        try:
            tracker = self._models.load(self.tracker_config, self.config.models_dir or None,
                                        self.config.model_load_timeout)
        except TrackerError as exc:
            self._last_error = str(exc)
            self.get_logger().error(f"no model loaded: {exc}; the node runs and waits for a valid 'model' "
                                    "parameter (ros2 param set)")
            return
        self.get_logger().info(f"model '{tracker.card.name}' ({tracker.card.family}) on {tracker.backend.description}")

    def _on_set_parameters(self, params: list[Parameter]) -> SetParametersResult:
        """Validate changes; model changes load beside the running model and are rejected if the load fails."""
        try:
            new = parameters.check_updates(params, self.tracker_config, self.config)
            if parameters.needs_reload((self.tracker_config, self.config), new):
                self._reload(new)
            else:
                self._models.set_config(new[0])
        except (ConfigError, TrackerError) as exc:
            self._reject("parameter", exc, failure=False)
            return SetParametersResult(successful=False, reason=str(exc))
        self.tracker_config, self.config = new
        return SetParametersResult(successful=True)

    def _reload(self, new: tuple[TrackerConfig, parameters.NodeConfig]) -> None:
        """
        Load the model of ``new`` beside the running one; raise TrackerError when it cannot be loaded.

        Only a models_dir change while no model runs is accepted despite a failed load (there is nothing to
        keep running, and the model name may be set next).
        """
        if new[1].models_dir and not Path(new[1].models_dir).is_dir():
            raise ConfigError(f"models_dir '{new[1].models_dir}' is not a directory")
        self.get_logger().info(f"loading model '{new[0].model}' ({new[0].backend}) beside the running one")
        try:
            tracker = self._models.load(new[0], new[1].models_dir or None, new[1].model_load_timeout)
        except TrackerError as exc:
            if new[0] != self.tracker_config or self._models.current is not None:
                raise
            self._last_error = str(exc)
            self.get_logger().warning(f"models_dir set, but still no model: {exc}")
            return
        self.get_logger().info(f"model '{tracker.card.name}' loaded; it takes over at the next frame")

    # ------------------------------------------------------------------ inputs (executor threads)
    def _on_frame(self, msg: Any, info: dict, compressed: bool) -> None:
        self._slot.put((msg, time.perf_counter(), compressed))
        self.stats.count_gap(info)

    def _request_init(self, box: Box, source: str, class_id: str = "") -> None:
        with self._lock:
            self._pending_init = (box, source, class_id)

    def _on_init_roi(self, msg: RegionOfInterest) -> None:
        try:
            self._request_init(roi_to_box(msg), "init_roi")
        except InvalidBoxError as exc:
            self._reject("box", exc, failure=False)

    def _on_click(self, msg: Point) -> None:
        if not (math.isfinite(msg.x) and math.isfinite(msg.y)):
            self._reject("box", InvalidBoxError(f"click point ({msg.x}, {msg.y}) is not finite"), failure=False)
            return
        cfg = self.config
        self._request_init(Box.from_center(msg.x, msg.y, cfg.click_box_width, cfg.click_box_height), "click")

    def _on_init_detection(self, msg: Any) -> None:
        found = vision.detection_class_score(msg, self.config.target_class)
        if found is None:
            classes = sorted({r.hypothesis.class_id for r in msg.results})
            self._reject("detection_class", InvalidBoxError(
                f"detection classes {classes} do not include target_class '{self.config.target_class}'"),
                failure=False)
            return
        try:
            self._request_init(vision.detection_to_box(msg), "init_detection", found[0])
        except InvalidBoxError as exc:
            self._reject("box", exc, failure=False)

    def _on_handoff(self, msg: Any) -> None:
        tracker = self._models.current
        if self._pending_init is not None or (tracker is not None and tracker.state == TrackState.TRACKING):
            return
        best = vision.best_detection(msg, self.config.target_class, self.config.min_detection_score)
        if best is not None:
            try:
                self._request_init(vision.detection_to_box(best[0]), "handoff", best[1])
            except InvalidBoxError as exc:
                self._reject("box", exc, failure=False)

    def _on_reset(self, _request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        with self._lock:
            self._pending_init, self._reset_requested = None, True
        response.success, response.message = True, "target dropped; send a new box to track again"
        return response

    def _on_enable(self, request: SetBool.Request, response: SetBool.Response) -> SetBool.Response:
        with self._lock:
            self._enabled = bool(request.data)
        response.success = True
        response.message = "tracking resumed" if request.data else "tracking paused"
        return response

    def _reject(self, kind: str, exc: Exception, failure: bool = True) -> None:
        """Count and log (throttled per kind) an input or frame that could not be used."""
        self.stats.reject(kind, failure)
        self._last_error = f"{kind}: {exc}"
        held = self._throttle.check(kind)
        if held is not None:
            more = f" ({held} more since the last report)" if held else ""
            self.get_logger().warning(f"rejected {kind}: {exc}{more}")

    # ------------------------------------------------------------------ worker thread
    def _run(self) -> None:
        while not self._stop.is_set():
            item = self._slot.take(timeout=0.1)
            if item is not None and not self._stop.is_set():
                try:
                    self._process(*item)
                except Exception as exc:  # noqa: BLE001 - the node must survive any single bad frame
                    self._reject("internal", exc)

    def _process(self, msg: Any, received: float, compressed: bool) -> None:
        t0 = time.perf_counter()
        try:
            frame = compressed_to_bgr(msg) if compressed else image_to_bgr(msg)
        except ImageMessageError as exc:
            self._reject(exc.kind, exc)
            return
        convert_ms = (time.perf_counter() - t0) * 1e3
        tracker, replaced = self._models.acquire()
        if tracker is None:
            self._reject("no_model", TrackerError(f"no model loaded ({self._last_error})"), failure=False)
            return
        with self._lock:
            init, self._pending_init = self._pending_init, None
            reset, self._reset_requested = self._reset_requested, False
            enabled = self._enabled
        if replaced is not None:
            self._hand_over(replaced, tracker, frame)
        if reset:
            tracker.reset()
        if not enabled:
            self._paused_frames += 1
            return
        result = self._init(tracker, frame, init) if init else None
        if result is None and tracker.state != TrackState.IDLE:
            try:
                result = tracker.update(frame)
            except (TrackerError, RuntimeError, ValueError) as exc:
                self._reject("tracker", exc)
                return
        self._publish(msg.header, frame, result, received, convert_ms)

    def _init(self, tracker: Tracker, frame: np.ndarray, init: tuple[Box, str, str]) -> TrackResult | None:
        box, source, class_id = init
        try:
            tracker.init(frame, box)
        except InvalidBoxError as exc:
            self._reject("box", exc, failure=False)
            return None
        self._track_count += 1
        self._track_id, self._class_id = str(self._track_count), class_id or self.config.target_class or "target"
        shown = tuple(round(v, 1) for v in box.as_tuple())
        self.get_logger().info(f"tracking target {self._track_id} from {source}: box {shown}")
        return TrackResult(tracker.box, 1.0, True, TrackState.TRACKING, StageTimings())

    def _hand_over(self, old: Tracker, new: Tracker, frame: np.ndarray) -> None:
        """Start the new model on the current box so tracking continues across a model swap."""
        if old.state != TrackState.IDLE and old.box is not None:
            try:
                new.init(frame, old.box)
            except InvalidBoxError as exc:
                self._reject("box", exc, failure=False)
        self.get_logger().info(f"model swapped: {old.card.name} -> {new.card.name} ({new.backend.description})")

    def _publish(self, header: Header, frame: np.ndarray, result: TrackResult | None, received: float,
                 convert_ms: float) -> None:
        found = result is not None and result.found
        if found:
            self._roi_pub.publish(box_to_roi(result.box, frame.shape[1], frame.shape[0]))
            self._box_pub.publish(box_to_polygon(result.box, header))
        if self._det_pub is not None:
            self._det_pub.publish(vision.make_detections(header, result.box if found else None,
                                                         result.score if found else 0.0, self._track_id,
                                                         self._class_id))
        if result is not None:
            self._last_score = result.score
            if self.config.publish_debug_image and self._debug_pub.get_subscription_count() > 0:
                label = f"{self._track_id} {result.state.value} {result.score:.2f}"
                self._debug_pub.publish(bgr_to_image(draw_box(frame, result.box, label, found), header))
        timings = {"convert": convert_ms, "in_node": (time.perf_counter() - received) * 1e3}
        stamp_ns = header.stamp.sec * 1_000_000_000 + header.stamp.nanosec
        if stamp_ns > 0:
            timings["end_to_end"] = (self.get_clock().now().nanoseconds - stamp_ns) * 1e-6
        if result is not None and result.timings.inference_ms > 0:
            timings.update(preprocess=result.timings.preprocess_ms, inference=result.timings.inference_ms,
                           postprocess=result.timings.postprocess_ms)
            if "end_to_end" in timings:
                timings["node_overhead"] = timings["end_to_end"] - result.timings.inference_ms
        self.stats.frame_done(timings)

    # ------------------------------------------------------------------ diagnostics and shutdown
    def counters(self) -> dict[str, int]:
        """Return the frame counters: received, processed, dropped (newest-only), missed (transport), rejected."""
        return {"received": self._slot.received, "processed": self.stats.processed, "dropped": self._slot.dropped,
                "missed": self.stats.missed, "rejected": sum(self.stats.rejected.values())}

    def tracking_status(self) -> TrackingStatus:
        """Return a snapshot of model and target for the diagnostics."""
        tracker, pending = self._models.current, self._models.pending
        return TrackingStatus(
            model=tracker.card.name if tracker else self.tracker_config.model,
            card=tracker.card if tracker else None,
            backend=tracker.backend.description if tracker else self.tracker_config.backend,
            pending_model=pending.card.name if pending else "",
            state=tracker.state if tracker else TrackState.IDLE, score=self._last_score,
            box=tracker.box.as_tuple() if tracker and tracker.box else (), track_id=self._track_id,
            enabled=self._enabled, swaps=self._models.swaps, load_failures=self._models.load_failures,
            last_error=self._last_error,
            extra={"vision_msgs": str(vision.HAVE_VISION_MSGS), "frames_paused": str(self._paused_frames),
                   "model_path": str(tracker.backend.path) if tracker else "none"})

    def _publish_diagnostics(self) -> None:
        status = build_status(f"{self.get_fully_qualified_name()}: tracking", self.stats, self.tracking_status(),
                              self._slot.received, self._slot.dropped, self.config.expected_rate,
                              self.config.max_consecutive_failures)
        self._diag_pub.publish(DiagnosticArray(header=Header(stamp=self.get_clock().now().to_msg()),
                                               status=[status]))

    def destroy_node(self) -> None:
        """Stop the worker and the model loader, then destroy the node (also after a failed __init__)."""
        if hasattr(self, "_worker"):
            self._stop.set()
            self._slot.wake()
            if self._worker.is_alive():
                self._worker.join(timeout=5.0)
        if hasattr(self, "_models"):
            self._models.shutdown()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run the node until SIGINT; exit code 2 when a start-up parameter is invalid."""
    rclpy.init(args=args)
    try:
        node = TrackerNode()
    except (ConfigError, ParameterException) as exc:
        print(f"tracker_node: invalid parameter: {exc}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    return spin_until_shutdown(node, MultiThreadedExecutor(num_threads=2))


if __name__ == "__main__":
    sys.exit(main())
