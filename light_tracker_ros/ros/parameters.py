# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
ROS parameters of the tracker node: TrackerConfig fields plus ROS-only settings, declared from one metadata.

Every field of :class:`~light_tracker_ros.core.config.TrackerConfig` and of :class:`NodeConfig` becomes a
parameter of the same name, with its help text as description and its min/max as a range; choices go into
``additional_constraints`` and are checked by :func:`check_updates`.
"""
from __future__ import annotations

import dataclasses
import os
import typing
from dataclasses import dataclass
from typing import Any, Iterable, TypeVar

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.node import Node
from rclpy.parameter import Parameter

from light_tracker_ros.core.config import TrackerConfig, check_field, spec
from light_tracker_ros.core.errors import ConfigError


T = TypeVar("T")


@dataclass(frozen=True)
class NodeConfig:
    """ROS-only settings of the tracker node: topics, initialisation, debug output, diagnostics, governor."""

    model_dirs: list[str] = spec([""], "folders searched in order for a model name; '' = the installed "
                                 "share/light_tracker_ros/models, e.g. ['', '/home/me/models']")
    allow_model_paths: bool = spec(False, "accept a path to a .onnx file (with its card beside it) as 'model' "
                                   "(false: only names from model_dirs, so no remote participant can make the "
                                   "node read a file of its choice)")
    max_image_pixels: int = spec(40_000_000, "frames with more pixels are refused; compressed ones from their header, "
                                 "before decoding (8K UHD is 33.2 M)", min=1, max=1_000_000_000)
    model_load_timeout: float = spec(60.0, "seconds a model (re)load may take before the change is rejected",
                                     min=1.0, max=600.0)
    image_topic: str = spec("image", "input image topic (sensor_msgs/Image)")
    image_transport: str = spec("raw", "'raw' subscribes to image_topic; 'compressed' to image_topic/compressed "
                                "(sensor_msgs/CompressedImage, jpeg or png)", choices=("raw", "compressed"))
    click_topic: str = spec("image_mouse_left", "geometry_msgs/Point clicks in pixels, taken as a box centre "
                            "(rqt_image_view publishes <image topic>_mouse_left); empty = off")
    click_box_width: int = spec(64, "width in pixels of the box centred on a click", min=4, max=4096)
    click_box_height: int = spec(64, "height in pixels of the box centred on a click", min=4, max=4096)
    handoff_topic: str = spec("", "vision_msgs/Detection2DArray of a detector: its best detection of target_class "
                              "initialises the tracker whenever no target is tracked; empty = off")
    target_class: str = spec("", "class_id accepted from ~/init_detection and the hand-off; empty = any class")
    min_detection_score: float = spec(0.5, "hand-off ignores detections scored below this", min=0.0, max=1.0)
    publish_debug_image: bool = spec(True, "publish ~/debug_image (frame with the box) while somebody subscribes")
    expected_rate: float = spec(0.0, "processing rate in Hz under which diagnostics warn; 0 = no check",
                                min=0.0, max=1000.0)
    diagnostics_period: float = spec(1.0, "seconds between /diagnostics messages", min=0.1, max=60.0)
    max_consecutive_failures: int = spec(5, "failed frames in a row after which diagnostics report ERROR",
                                         min=1, max=10000)
    autostart: bool = spec(True, "walk configure and activate at start-up (false: wait for lifecycle transitions)")
    latency_budget_ms: float = spec(0.0, "end-to-end p95 latency budget in ms: over it the node swaps to the next "
                                    "lighter model of the family, under half of it back to a heavier one up to "
                                    "'model'; 0 = off", min=0.0, max=10000.0)
    governor_cooldown: float = spec(5.0, "seconds between two model swaps of the latency governor", min=0.1,
                                    max=600.0)


TRACKER_KEYS = tuple(f.name for f in dataclasses.fields(TrackerConfig))
NODE_KEYS = tuple(f.name for f in dataclasses.fields(NodeConfig))
# changing these needs new subscriptions or timers: set them at start-up (launch, YAML, --ros-args)
READ_ONLY = frozenset({"image_topic", "image_transport", "click_topic", "handoff_topic", "diagnostics_period",
                       "autostart", "model_dirs", "allow_model_paths"})
# changing these loads a new model beside the running one
RELOAD_KEYS = frozenset({"model", "backend", "num_threads"})


def descriptor(cls: type, field: dataclasses.Field, read_only: bool | None = None) -> ParameterDescriptor:
    """
    Build a ParameterDescriptor from a config field's metadata (description, range, choices, read-only).

    ``read_only`` None: the tracker node's rule (:data:`READ_ONLY`); True/False: as given.
    """
    meta = field.metadata
    kind = typing.get_type_hints(cls)[field.name]
    read_only = field.name in READ_ONLY if read_only is None else read_only
    desc = ParameterDescriptor(description=meta.get("help", ""), read_only=read_only)
    lo, hi = meta.get("min"), meta.get("max")
    if field.name == "num_threads":
        hi = min(hi, cpu_count())
    if kind is float and lo is not None and hi is not None:
        desc.floating_point_range = [FloatingPointRange(from_value=float(lo), to_value=float(hi), step=0.0)]
    elif kind is int and lo is not None and hi is not None:
        desc.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=1)]
    if meta.get("choices"):
        desc.additional_constraints = "one of: " + ", ".join(meta["choices"])
    return desc


def declare(node: Node) -> tuple[TrackerConfig, NodeConfig]:
    """Declare every parameter on ``node`` (overrides from YAML/launch apply) and return both configs."""
    for cls, default in ((TrackerConfig, TrackerConfig()), (NodeConfig, NodeConfig())):
        for field in dataclasses.fields(cls):
            node.declare_parameter(field.name, getattr(default, field.name), descriptor(cls, field))
    return read(node)


def declare_config(node: Node, cls: type[T], read_only: bool = True) -> T:
    """
    Declare every field of config dataclass ``cls`` as a parameter of ``node`` and return the checked config.

    The same metadata (help, range, choices) as the tracker's parameters; a bad value raises ConfigError.
    """
    default = cls()
    for field in dataclasses.fields(cls):
        node.declare_parameter(field.name, getattr(default, field.name), descriptor(cls, field, read_only))
    return cls(**{f.name: check_field(cls, f.name, node.get_parameter(f.name).value) for f in dataclasses.fields(cls)})


def read(node: Node) -> tuple[TrackerConfig, NodeConfig]:
    """Read and check the declared parameters of ``node``; raise ConfigError naming a bad value."""
    values = {name: node.get_parameter(name).value for name in TRACKER_KEYS + NODE_KEYS}
    tracker = TrackerConfig(**{k: check_field(TrackerConfig, k, values[k]) for k in TRACKER_KEYS})
    ros = NodeConfig(**{k: check_field(NodeConfig, k, values[k]) for k in NODE_KEYS})
    check_node_limits(tracker, ros)
    return tracker, ros


def cpu_count() -> int:
    """Return the CPUs this process may run on (caps num_threads: more threads than cores slow inference)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def check_node_limits(tracker: TrackerConfig, ros: NodeConfig) -> None:
    """Refuse values valid in general but not on this machine or in this node (ConfigError naming the value)."""
    if tracker.num_threads > cpu_count():
        raise ConfigError(f"'num_threads' must be <= {cpu_count()} (the CPUs of this machine), got "
                          f"{tracker.num_threads}")
    for folder in ros.model_dirs:
        if len(folder) > 4096 or "\x00" in folder:
            raise ConfigError("'model_dirs' entries must be folder paths of at most 4096 characters without NUL")


def check_updates(params: Iterable[Parameter], tracker: TrackerConfig,
                  ros: NodeConfig) -> tuple[TrackerConfig, NodeConfig]:
    """Apply parameter changes to copies of both configs; raise ConfigError naming the bad value."""
    tracker_updates: dict[str, Any] = {}
    ros_updates: dict[str, Any] = {}
    for param in params:
        if param.name in TRACKER_KEYS:
            tracker_updates[param.name] = check_field(TrackerConfig, param.name, param.value)
        elif param.name in NODE_KEYS:
            ros_updates[param.name] = check_field(NodeConfig, param.name, param.value)
    new = dataclasses.replace(tracker, **tracker_updates), dataclasses.replace(ros, **ros_updates)
    check_node_limits(*new)
    return new


def needs_reload(old: tuple[TrackerConfig, NodeConfig], new: tuple[TrackerConfig, NodeConfig]) -> bool:
    """Tell whether the change touches the model, backend, thread count or models folder."""
    return any(getattr(old[0], k, None) != getattr(new[0], k, None) or getattr(old[1], k, None) !=
               getattr(new[1], k, None) for k in RELOAD_KEYS)
