# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The ROS 2 tracking node, a managed (lifecycle) node: camera frames in; box, detections and diagnostics out.

configure checks the parameters, creates the outputs and loads the model (a bad model fails the transition,
with the reason logged and in diagnostics); activate subscribes, deactivate unsubscribes, cleanup frees the
model. ``autostart`` (default true) walks configure and activate at start-up. Image callbacks only store the
newest message; a worker thread converts it, runs the tracker and publishes. Services, init topics, the
lifecycle services and the diagnostics timer are in a callback group of their own, so they never wait behind
frames, inference or a model load.
"""
from __future__ import annotations

import dataclasses
import math
import sys
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Point, PolygonStamped
from rcl_interfaces.msg import SetParametersResult
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.exceptions import ParameterException
from rclpy.executors import MultiThreadedExecutor
from rclpy.lifecycle import LifecycleNodeMixin, LifecycleState, TransitionCallbackReturn
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from rclpy.qos_overriding_options import QoSOverridingOptions
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header
from std_srvs.srv import SetBool, Trigger

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError, InvalidBoxError, TrackerError
from light_tracker_ros.core.model_card import default_models_dir
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState
from light_tracker_ros.ros import parameters, qos, vision
from light_tracker_ros.ros.cdr import CdrError, image_from_cdr
from light_tracker_ros.ros.conversions import (ImageMessageError, bgr_to_image, box_to_polygon, box_to_roi,
                                               compressed_to_bgr, draw_box, image_to_bgr, release_after_large,
                                               return_large_buffers_to_the_system, roi_to_box)
from light_tracker_ros.ros.diagnostics import NodeStats, TrackingStatus, build_status
from light_tracker_ros.ros.frame_taker import FrameTaker, TakenElsewhere
from light_tracker_ros.ros.governor import Decision, LatencyGovernor, build_ladder, rungs_in
from light_tracker_ros.ros.model_loader import ModelManager
from light_tracker_ros.ros.spin import spin_until_shutdown
from light_tracker_ros.ros.stats import LatestSlot, Throttle

SUCCESS, FAILURE = TransitionCallbackReturn.SUCCESS, TransitionCallbackReturn.FAILURE
MAX_ERROR_CHARS = 300  # last_error in diagnostics is cut to this length


class Arrival(NamedTuple):
    """A serialized frame as the image callback received it, with the times of its way to the node."""

    raw: bytes
    compressed: bool
    index: int
    entry: float  # time.perf_counter() at callback entry
    entry_ns: int  # system time at callback entry (ns)
    source_ns: int  # system time at which the publisher's DDS writer wrote it (0 = unknown)
    delivered_ns: int  # system time at which this node's DDS reader received it (0 = unknown)


class TrackerNode(LifecycleNodeMixin, Node):
    """Single-object tracker node; see the README for topics, services, parameters and lifecycle."""

    def __init__(self, node_name: str = "tracker", **kwargs: Any) -> None:
        Node.__init__(self, node_name, **kwargs)
        return_large_buffers_to_the_system()  # RSS falls back after oversized frames
        self._control = ReentrantCallbackGroup()  # lifecycle, services, init topics, timers
        self._frames = TakenElsewhere()  # image messages: taken by a FrameTaker thread, not the executor
        LifecycleNodeMixin.__init__(self, callback_group=self._control)
        self.tracker_config, self.config = parameters.declare(self)
        self.stats = NodeStats()
        self._slot: LatestSlot[Arrival] = LatestSlot()
        self._throttle = Throttle(2.0)
        self._models = ModelManager()
        self._lock = threading.Lock()
        self._pending_init: tuple[Box, str, str, int] | None = None
        self._reset_requested = False
        self._frame_count = 0
        self._track_count = 0
        self._track_id = ""
        self._class_id = ""
        self._last_score = float("nan")
        self._last_error = ""
        self._load_error = ""
        self._autostart_failed = False
        self._governor: LatencyGovernor | None = None
        self._subs: list[Any] = []
        self._image_sub: Any = None
        self._image_reliability: ReliabilityPolicy | None = None
        self._outputs: dict[str, Any] = {}
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._taker: FrameTaker | None = None
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.create_service(Trigger, "~/reset", self._on_reset, callback_group=self._control)
        self.create_service(SetBool, "~/enable", self._on_enable, callback_group=self._control)
        self.create_timer(self.config.diagnostics_period, self._publish_diagnostics, callback_group=self._control)
        self.create_timer(1.0, self._match_image_qos, callback_group=self._control)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        if self.config.autostart:
            self.autostart()

    # ------------------------------------------------------------------ lifecycle
    @property
    def lifecycle_state(self) -> str:
        """Label of the current lifecycle state (unconfigured, inactive, active, finalized, ...)."""
        return self._state_machine.current_state[1]

    def autostart(self) -> bool:
        """Walk configure and activate (the ``autostart`` parameter does this at start-up); True when active."""
        if self.lifecycle_state == "unconfigured" and self.trigger_configure() != SUCCESS:
            self._autostart_failed = True
            return False
        self._autostart_failed = False
        return self.lifecycle_state == "active" or self.trigger_activate() == SUCCESS

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Check the parameters, create the outputs and load the model; fail with the reason logged."""
        try:
            self.tracker_config, self.config = parameters.read(self)
            tracker = self._load(self.tracker_config, self.config)
        except TrackerError as exc:
            self._load_error = self._bounded(str(exc))
            self.get_logger().error(f"configure failed: {exc}; set a valid 'model' and configure again"
                                    + (" (autostart retries after a parameter change)" if self.config.autostart
                                       else ""))
            return FAILURE
        self._load_error = ""
        self.get_logger().info(f"model '{tracker.card.name}' ({tracker.card.family}) on {tracker.backend.description}")
        self._create_outputs()
        self._governor = self._make_governor()
        self._stop.clear()
        self._worker = threading.Thread(target=self._run, name="tracker-worker", daemon=True)
        self._worker.start()
        self._taker = FrameTaker(self.context, self._on_taker_error)
        return SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to the images and the init topics."""
        self._subscribe()
        self.get_logger().info(
            f"active on '{self._image_sub.topic_name}' ({self._image_reliability.name.lower()}); no target yet: send "
            "a box on ~/init_roi (a restarted node forgets the target and any 'ros2 param set' change: keep "
            f"settings in the parameter file{_params_file_hint()})")
        return SUCCESS

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Drop the subscriptions (the model stays loaded, the target is kept)."""
        self._unsubscribe()
        self._slot.take(timeout=0.0)
        return SUCCESS

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop the worker, destroy the outputs and free the model."""
        self._teardown()
        return SUCCESS

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release everything, from any state."""
        self._unsubscribe()
        self._teardown()
        return SUCCESS

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release everything after an exception in a transition and go back to unconfigured."""
        self.get_logger().error(f"error in lifecycle state {state.label}: releasing the model")
        return self.on_shutdown(state)

    def _teardown(self) -> None:
        if self._taker is not None:
            self._taker.stop()
            self._taker = None
        self._stop.set()
        self._slot.wake()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=5.0)
        self._worker = None
        for pub in self._outputs.values():
            self.destroy_publisher(pub)
        self._outputs = {}
        self._models.clear()
        self._governor = None

    def _create_outputs(self) -> None:
        """Create the output publishers, each with standard QoS overrides (a fresh profile each: rclpy edits it)."""
        topics = {"roi": (RegionOfInterest, "~/roi", 10), "box": (PolygonStamped, "~/box", 10),
                  "debug": (Image, "~/debug_image", 1)}
        if vision.HAVE_VISION_MSGS:
            topics["detections"] = (vision.Detection2DArray, "~/detections", 10)
        self._outputs = {key: self.create_publisher(msg_type, topic, QoSProfile(depth=depth),
                                                    qos_overriding_options=QoSOverridingOptions.with_default_policies())
                         for key, (msg_type, topic, depth) in topics.items()}

    def _subscribe(self) -> None:
        cfg, reliable = self.config, QoSProfile(depth=10)
        self._subscribe_images()
        self._subs.append(self.create_subscription(RegionOfInterest, "~/init_roi", self._guarded(self._on_init_roi),
                                                   reliable,
                                                   callback_group=self._control))
        if cfg.click_topic:
            self._subs.append(self.create_subscription(Point, cfg.click_topic, self._guarded(self._on_click), reliable,
                                                       callback_group=self._control))
        if vision.HAVE_VISION_MSGS:
            self._subs.append(self.create_subscription(vision.Detection2D, "~/init_detection",
                                                       self._guarded(self._on_init_detection), reliable,
                                                       callback_group=self._control))
            if cfg.handoff_topic:
                self._subs.append(self.create_subscription(vision.Detection2DArray, cfg.handoff_topic,
                                                           self._guarded(self._on_handoff), qos_profile_sensor_data,
                                                           callback_group=self._control))

    def _image_topic(self) -> tuple[type, str]:
        if self.config.image_transport == "compressed":
            return CompressedImage, self.config.image_topic.rstrip("/") + "/compressed"
        return Image, self.config.image_topic

    def _subscribe_images(self) -> None:
        """Subscribe with the reliability of the topic's publishers, unless a QoS override fixes it."""
        msg_type, topic = self._image_topic()
        resolved = self.resolve_topic_name(topic)
        fixed = qos.override_name(resolved) in self._parameter_overrides
        reliability = (ReliabilityPolicy.BEST_EFFORT if fixed
                       else qos.matched_reliability(self.get_publishers_info_by_topic(resolved)))
        options = (QoSOverridingOptions.with_default_policies() if fixed
                   else QoSOverridingOptions(qos.MATCHED_POLICIES))
        compressed = msg_type is CompressedImage
        # raw: the executor thread only copies the serialized frame; the worker deserializes the one it takes,
        # so frames replaced in the newest-frame slot cost no deserialization (and hold the GIL less)
        sub = self.create_subscription(msg_type, topic, lambda m, info: self._on_frame(m, info, compressed),
                                       qos.image_profile(reliability), callback_group=self._frames,
                                       qos_overriding_options=options, raw=True)
        self._image_sub, self._image_reliability = sub, sub.qos_profile.reliability
        if self._taker is not None:
            self._taker.watch(sub)

    def _match_image_qos(self) -> None:
        """Re-subscribe when the publishers' reliability no longer matches ours (none with a QoS override)."""
        sub = self._image_sub
        if sub is None or qos.override_name(sub.topic_name) in self._parameter_overrides:
            return
        want = qos.matched_reliability(self.get_publishers_info_by_topic(sub.topic_name))
        if want != self._image_reliability:
            self.get_logger().info(f"image publishers are {want.name.lower()}: subscribing again to match")
            with self._lock:
                if self._image_sub is sub:
                    self._watch_none()
                    self.destroy_subscription(sub)
                    self._image_sub = None
                    self._subscribe_images()

    def _watch_none(self) -> None:
        if self._taker is not None:
            self._taker.watch(None)

    def _unsubscribe(self) -> None:
        with self._lock:
            self._watch_none()
            for sub in self._subs + ([self._image_sub] if self._image_sub is not None else []):
                self.destroy_subscription(sub)
            self._subs, self._image_sub = [], None

    # ------------------------------------------------------------------ model and parameters
    def _model_source(self, config: parameters.NodeConfig) -> tuple[tuple[str, ...], bool]:
        """Folders searched for a model name, and whether a ``.onnx`` path is accepted."""
        return tuple(d or str(default_models_dir()) for d in config.model_dirs), config.allow_model_paths

    def _load(self, tracker_config: TrackerConfig, config: parameters.NodeConfig) -> Tracker:
        dirs, allow_paths = self._model_source(config)
        return self._models.load(tracker_config, dirs, config.model_load_timeout, allow_paths)

    def _on_set_parameters(self, params: list[Parameter]) -> SetParametersResult:
        """Validate changes; with a model loaded, model changes load beside it and are refused if the load fails."""
        try:
            new = parameters.check_updates(params, self.tracker_config, self.config)
            reload = parameters.needs_reload((self.tracker_config, self.config), new)
            if reload and self._models.current is not None:
                self.get_logger().info(f"loading model '{new[0].model}' ({new[0].backend}) beside the running one")
                tracker = self._load(*new)
                self.get_logger().info(f"model '{tracker.card.name}' loaded; it takes over at the next frame")
            else:
                self._models.set_config(new[0])
        except Exception as exc:  # noqa: BLE001 - any failure is a refusal, never the end of the node
            if not isinstance(exc, TrackerError):  # not ours: its text is not known to be safe to echo
                exc = ConfigError(f"parameter change refused: {type(exc).__name__} while checking it")
            self._reject("parameter", exc, failure=False)
            return SetParametersResult(successful=False, reason=self._bounded(str(exc)))
        governed = (self.tracker_config.model, self.config.latency_budget_ms)
        self.tracker_config, self.config = new
        if self._models.current is not None and governed != (new[0].model, new[1].latency_budget_ms):
            self._governor = self._make_governor()
        if reload and self._autostart_failed and self.config.autostart:
            self._retry = self.create_timer(0.05, self._retry_autostart, callback_group=self._control)
        return SetParametersResult(successful=True)

    def _retry_autostart(self) -> None:
        self.destroy_timer(self._retry)
        if self.lifecycle_state == "unconfigured":
            self.autostart()

    # ------------------------------------------------------------------ latency governor
    def _make_governor(self) -> LatencyGovernor | None:
        budget = self.config.latency_budget_ms
        if budget <= 0:
            return None
        requested = self.tracker_config.model
        folders = ([str(Path(requested).parent)] if requested.endswith(".onnx")
                   else list(self._model_source(self.config)[0]) or [str(default_models_dir())])
        name = Path(requested).stem if requested.endswith(".onnx") else requested
        ladder = build_ladder(rungs_in(folders), name)
        if requested.endswith(".onnx"):
            ladder = [requested] + [str(Path(folders[0]) / f"{n}.onnx") for n in ladder[1:]]
        self.get_logger().info(f"latency governor: budget {budget:g} ms, models {[Path(m).stem for m in ladder]}")
        return LatencyGovernor(ladder, budget, cooldown=self.config.governor_cooldown)

    def _governor_step(self, latency_ms: float) -> None:
        governor = self._governor
        if governor is None:
            return
        governor.add(latency_ms)
        decision = governor.decide(time.monotonic())
        if decision is not None:
            threading.Thread(target=self._governor_load, args=(governor, decision), daemon=True).start()

    def _governor_load(self, governor: LatencyGovernor, decision: Decision) -> None:
        config = dataclasses.replace(self.tracker_config, model=decision.model)
        try:
            self._load(config, self.config)
        except TrackerError as exc:
            self.get_logger().warning(f"latency governor: {Path(decision.model).stem} did not load: {exc}")
            governor.done(False, time.monotonic())
            return
        governor.done(True, time.monotonic())
        self.get_logger().warning(f"latency governor: swapping {decision.direction} to "
                                  f"{Path(decision.model).stem} ({decision.reason})")

    # ------------------------------------------------------------------ inputs (executor threads)
    def _on_frame(self, msg: Any, info: dict, compressed: bool) -> None:
        entry, entry_ns = time.perf_counter(), time.time_ns()
        self._frame_count += 1
        self._slot.put(Arrival(msg, compressed, self._frame_count, entry, entry_ns, info.get("source_timestamp") or 0,
                               info.get("received_timestamp") or 0))
        self.stats.count_gap(info)

    def _on_taker_error(self, exc: Exception) -> None:
        self._reject("take", TrackerError(f"{type(exc).__name__} while taking an image message"), failure=False)

    def _request_init(self, box: Box, source: str, class_id: str = "") -> None:
        """Queue an init for the newest frame received so far (or, if it was already taken, the next one)."""
        with self._lock:
            self._pending_init = (box, source, class_id, self._frame_count)

    def _guarded(self, callback: Any) -> Any:
        """Wrap a message callback so any exception becomes a counted rejection, never the end of the node."""
        def run(msg: Any) -> None:
            try:
                callback(msg)
            except InvalidBoxError as exc:
                self._reject("box", exc, failure=False)
            except Exception as exc:  # noqa: BLE001 - a malformed message must not kill the node
                self._reject("message", TrackerError(f"{type(exc).__name__} in {callback.__name__}"), failure=False)
        return run

    def _on_init_roi(self, msg: RegionOfInterest) -> None:
        self._request_init(roi_to_box(msg), "init_roi")

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
        """Act as a thin alias of the lifecycle: false deactivates, true activates (configuring first if needed)."""
        state = self.lifecycle_state
        if request.data:
            response.success = self.autostart() if state in ("unconfigured", "inactive") else state == "active"
            response.message = "tracking resumed" if response.success else f"cannot activate from {state}"
            if not response.success and self._load_error:
                response.message += f": {self._load_error}"
        else:
            response.success = state != "active" or self.trigger_deactivate() == SUCCESS
            response.message = "tracking paused (node inactive)" if response.success else "could not deactivate"
        return response

    def _reject(self, kind: str, exc: Exception, failure: bool = True) -> None:
        """Count and log (throttled per kind) an input or frame that could not be used."""
        self.stats.reject(kind, failure)
        self._last_error = self._bounded(f"{kind}: {exc}")
        held = self._throttle.check(kind)
        if held is not None:
            more = f" ({held} more since the last report)" if held else ""
            self.get_logger().warning(f"rejected {kind}: {self._bounded(str(exc))}{more}")

    @staticmethod
    def _bounded(text: str) -> str:
        return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 3] + "..."

    # ------------------------------------------------------------------ worker thread
    def _run(self) -> None:
        while not self._stop.is_set():
            item = self._slot.take(timeout=0.1)
            if item is not None and not self._stop.is_set():
                size = len(item.raw) if isinstance(item.raw, (bytes, bytearray, memoryview)) else 0
                try:
                    self._process(item)
                except Exception as exc:  # noqa: BLE001 - the node must survive any single bad frame
                    self._reject("internal", TrackerError(f"{type(exc).__name__} while processing a frame"))
                item = None
                release_after_large(size)  # peak buffers of an oversized frame go back to the system

    def _process(self, arrival: Arrival) -> None:
        t0 = time.perf_counter()
        compressed, index = arrival.compressed, arrival.index
        try:
            msg = _read_frame(arrival.raw, compressed)
        except Exception as exc:  # noqa: BLE001 - a message that does not deserialize is a rejected frame
            self._reject("deserialize", TrackerError(f"image message does not deserialize ({type(exc).__name__})"))
            return
        try:
            limit = self.config.max_image_pixels
            frame = compressed_to_bgr(msg, limit) if compressed else image_to_bgr(msg, limit)
        except ImageMessageError as exc:
            self._reject(exc.kind, exc)
            return
        convert_ms = (time.perf_counter() - t0) * 1e3
        tracker, replaced = self._models.acquire()
        if tracker is None:
            self._reject("no_model", TrackerError("no model loaded"), failure=False)
            return
        with self._lock:
            init = self._pending_init
            if init is not None and index >= init[3]:
                self._pending_init = None
            else:
                init = None
            reset, self._reset_requested = self._reset_requested, False
        if replaced is not None:
            self._hand_over(replaced, tracker, frame)
        if reset:
            tracker.reset()
        result = self._init(tracker, frame, init) if init else None
        if result is None and tracker.state != TrackState.IDLE:
            try:
                result = tracker.update(frame)
            except (TrackerError, RuntimeError, ValueError) as exc:
                self._reject("tracker", exc)
                return
        self._publish(msg.header, frame, result, arrival, (t0 - arrival.entry) * 1e3, convert_ms)

    def _init(self, tracker: Tracker, frame: np.ndarray, init: tuple[Box, str, str, int]) -> TrackResult | None:
        box, source, class_id, _ = init
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

    def _publish(self, header: Header, frame: np.ndarray, result: TrackResult | None, arrival: Arrival,
                 handoff_ms: float, convert_ms: float) -> None:
        found, out, start = result is not None and result.found, self._outputs, time.perf_counter()
        if not out:
            return  # cleaned up meanwhile
        box = result.box.clipped(frame.shape[1], frame.shape[0]) if result is not None else None
        # an output nobody subscribes to is not built (nothing could tell: the outputs are volatile)
        if found and out["box"].get_subscription_count():
            out["box"].publish(box_to_polygon(box, header))
        if found and out["roi"].get_subscription_count():
            out["roi"].publish(box_to_roi(box, frame.shape[1], frame.shape[0]))
        if "detections" in out and out["detections"].get_subscription_count():
            out["detections"].publish(vision.make_detections(header, box if found else None,
                                                             result.score if found else 0.0, self._track_id,
                                                             self._class_id))
        if result is not None:
            self._last_score = result.score
            if self.config.publish_debug_image and out["debug"].get_subscription_count() > 0:
                label = f"{self._track_id} {result.state.value} {result.score:.2f}"
                out["debug"].publish(bgr_to_image(draw_box(frame, result.box, label, found), header))
        end = time.perf_counter()
        timings = {"handoff": handoff_ms, "convert": convert_ms, "publish": (end - start) * 1e3,
                   "in_node": (end - arrival.entry) * 1e3}
        stamp_ns = header.stamp.sec * 1_000_000_000 + header.stamp.nanosec
        if stamp_ns > 0:
            now = self.get_clock().now().nanoseconds
            timings["end_to_end"] = (now - stamp_ns) * 1e-6
            # the image stamp and the callback entry on one clock: the in-node time is what is left
            timings["transport"] = timings["end_to_end"] - timings["in_node"]
        timings.update(transport_stages(stamp_ns if self._system_clock() else 0, arrival))
        if result is not None and result.timings.inference_ms > 0:
            timings.update(preprocess=result.timings.preprocess_ms, inference=result.timings.inference_ms,
                           postprocess=result.timings.postprocess_ms)
            timings["in_node_overhead"] = timings["in_node"] - result.timings.inference_ms
            if "end_to_end" in timings:
                timings["node_overhead"] = timings["end_to_end"] - result.timings.inference_ms
                self._governor_step(timings["end_to_end"])
        self.stats.frame_done(timings)
        self._last_error = ""

    def _system_clock(self) -> bool:
        """Tell whether the node's clock is the system clock (not simulated time), the clock DDS stamps use."""
        return not self.get_clock().ros_time_is_active

    # ------------------------------------------------------------------ diagnostics and shutdown
    def counters(self) -> dict[str, int]:
        """Return the frame counters: received, processed, dropped (newest-only), missed (transport), rejected."""
        return {"received": self._slot.received, "processed": self.stats.processed, "dropped": self._slot.dropped,
                "missed": self.stats.missed, "rejected": sum(self.stats.rejected.values())}

    def tracking_status(self) -> TrackingStatus:
        """Return a snapshot of model, target and lifecycle state for the diagnostics."""
        tracker, pending, governor = self._models.current, self._models.pending, self._governor
        state = self.lifecycle_state
        return TrackingStatus(
            model=tracker.card.name if tracker else Path(self.tracker_config.model).stem,
            card=tracker.card if tracker else None,
            backend=tracker.backend.description if tracker else self.tracker_config.backend,
            pending_model=pending.card.name if pending else "",
            state=tracker.state if tracker else TrackState.IDLE, score=self._last_score,
            box=tracker.box.as_tuple() if tracker and tracker.box else (), track_id=self._track_id,
            enabled=state == "active", swaps=self._models.swaps, load_failures=self._models.load_failures,
            last_error=self._last_error or self._load_error, lifecycle=state,
            extra={"vision_msgs": str(vision.HAVE_VISION_MSGS), "lifecycle_state": state,
                   "image_reliability": self._image_reliability.name.lower() if self._image_reliability else "none",
                   "model_path": str(tracker.backend.path) if tracker else "none",
                   "governor": "off" if governor is None else
                   f"{Path(governor.model).stem} ({governor.index + 1} of {len(governor.ladder)}), budget "
                   f"{governor.budget_ms:g} ms, p95 {governor.p95():.1f} ms",
                   "governor_swaps": str(governor.swaps if governor else 0),
                   "governor_last": governor.last_reason if governor and governor.last_reason else "none"})

    def _publish_diagnostics(self) -> None:
        status = build_status(f"{self.get_fully_qualified_name()}: tracking", self.stats, self.tracking_status(),
                              self._slot.received, self._slot.dropped, self.config.expected_rate,
                              self.config.max_consecutive_failures, self.config.diagnostics_period)
        self._diag_pub.publish(DiagnosticArray(header=Header(stamp=self.get_clock().now().to_msg()),
                                               status=[status]))

    def destroy_node(self) -> None:
        """Stop the worker and forget the model, then destroy the node (also after a failed __init__)."""
        if hasattr(self, "_outputs"):
            self._teardown()
        if hasattr(self, "_models"):
            self._models.shutdown()
        super().destroy_node()


def transport_stages(stamp_ns: int, arrival: Arrival) -> dict[str, float]:
    """
    Split a frame's way to the node into publisher, DDS delivery and executor wake-up (ms; unknown ones left out).

    ``publisher``: image stamp -> the publisher's DDS write (its own conversion and serialization; needs the
    stamp on the system clock, else pass 0); ``dds``: write -> this node's DDS reader has it; ``wakeup``:
    reader -> the image callback (executor wake-up, take, thread hand-off). All on the system clock.
    """
    out = {}
    if arrival.source_ns > 0 and stamp_ns > 0:
        out["publisher"] = (arrival.source_ns - stamp_ns) * 1e-6
    if arrival.source_ns > 0 and arrival.delivered_ns >= arrival.source_ns:
        out["dds"] = (arrival.delivered_ns - arrival.source_ns) * 1e-6
    if arrival.delivered_ns > 0:
        out["wakeup"] = (arrival.entry_ns - arrival.delivered_ns) * 1e-6
    return out


def _read_frame(raw: bytes, compressed: bool) -> Any:
    """Return the message of a serialized frame: raw images as a view of their bytes, compressed via rclpy."""
    if not compressed:
        try:
            return image_from_cdr(raw)
        except CdrError:  # not the plain CDR expected: let rclpy read it
            pass
    return deserialize_message(raw, CompressedImage if compressed else Image)


def _params_file_hint() -> str:
    files = [sys.argv[i + 1] for i, arg in enumerate(sys.argv[:-1]) if arg == "--params-file"]
    return f" {', '.join(files)}" if files else " given with --params-file (none was)"


def _one_line(exc: BaseException) -> str:
    """Return the reason of an rcl start-up error without its C source locations."""
    text = str(exc).replace("failed to initialize rcl: ", "")
    return " ".join(text.split(", at /")[0].split())


def main(args: list[str] | None = None) -> int:
    """Run the node until SIGINT; exit code 2 when a start-up parameter or the parameter file is invalid."""
    try:
        rclpy.init(args=args)
    except RuntimeError as exc:  # rcl could not parse the arguments or the parameter file
        print(f"tracker_node: {_one_line(exc)}", file=sys.stderr)
        return 2
    try:
        node = TrackerNode()
    except (ConfigError, ParameterException) as exc:
        print(f"tracker_node: invalid parameter: {exc}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    except (KeyboardInterrupt, Exception):
        if rclpy.ok():
            raise
        return 0  # SIGINT during start-up: rclpy shut the context down under the constructor
    return spin_until_shutdown(node, MultiThreadedExecutor(num_threads=4))


if __name__ == "__main__":
    sys.exit(main())
