# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Parameters of the tracker node.

Declared with descriptions and ranges, the YAML file matches, bad values are rejected with a reason through
the parameter services, and a model swap at runtime keeps tracking.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
import rclpy
import yaml
from rcl_interfaces.msg import ParameterType
from rcl_interfaces.srv import DescribeParameters, SetParameters
from rclpy.context import Context
from rclpy.parameter import Parameter
from ros_fixtures import FOLLOW_PARAMS, Harness, scene_frame

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.ros.parameters import NODE_KEYS, NodeConfig, READ_ONLY, TRACKER_KEYS
from light_tracker_ros.ros.tracker_node import TrackerNode

ROOT = Path(__file__).resolve().parents[2]


def set_params(harness: Harness, **values) -> list:
    """Set parameters through the node's set_parameters service (from the driver node); return the results."""
    request = SetParameters.Request(parameters=[Parameter(k, value=v).to_parameter_msg() for k, v in values.items()])
    return harness.call(SetParameters, "set_parameters", request, timeout=30.0).results


@pytest.fixture
def harness(context, follow_model: Path):
    """Return a tracker node running the follow model and already tracking the scene's target."""
    h = Harness(context, {"model": str(follow_model), **FOLLOW_PARAMS})
    h.init_roi(*scene_frame(0))
    yield h
    h.close()


def test_parameters_are_described_with_ranges(harness: Harness) -> None:
    """Every config field is declared with its description; numbers have ranges; topics are read-only."""
    names = list(TRACKER_KEYS + NODE_KEYS)
    response = harness.call(DescribeParameters, "describe_parameters", DescribeParameters.Request(names=names))
    by_name = {d.name: d for d in response.descriptors}
    assert set(by_name) == set(names)
    for cls in (TrackerConfig, NodeConfig):
        for field in dataclasses.fields(cls):
            desc = by_name[field.name]
            assert desc.description == field.metadata["help"]
            if field.metadata.get("min") is not None:
                ranges = desc.floating_point_range or desc.integer_range
                assert ranges and ranges[0].from_value == field.metadata["min"], field.name
            assert desc.read_only == (field.name in READ_ONLY)
    assert by_name["score_threshold"].type == ParameterType.PARAMETER_DOUBLE
    assert "onnxruntime" in by_name["backend"].additional_constraints


def test_yaml_file_holds_exactly_the_declared_parameters(tmp_path: Path, follow_model: Path) -> None:
    """config/tracker.yaml lists every declared key and nothing else, and loads through --params-file."""
    data = yaml.safe_load((ROOT / "config" / "tracker.yaml").read_text())
    params = data["/**"]["ros__parameters"]
    assert set(params) == set(TRACKER_KEYS + NODE_KEYS)
    defaults = {**dataclasses.asdict(TrackerConfig()), **dataclasses.asdict(NodeConfig())}
    assert params == defaults, "the YAML values should be the defaults"
    context = Context()
    rclpy.init(context=context, args=["--ros-args", "--params-file", str(ROOT / "config" / "tracker.yaml"),
                                      "-p", f"model:={follow_model}", "-p", "lost_after:=7",
                                      "-p", "allow_model_paths:=true"])
    try:
        node = TrackerNode(context=context)
        try:
            assert node.tracker_config.model == str(follow_model) and node.tracker_config.lost_after == 7
            assert node.config == dataclasses.replace(NodeConfig(), allow_model_paths=True)
        finally:
            node.destroy_node()
    finally:
        rclpy.try_shutdown(context=context)


@pytest.mark.parametrize("values, reason", [
    ({"score_threshold": 1.5}, "score_threshold"),
    ({"backend": "tensorrt"}, "'backend' must be one of"),
    ({"num_threads": 0}, "num_threads"),
    ({"model": "/nonexistent/model.onnx"}, "must name a readable .onnx file with its .json card"),
    ({"model": "no_such_model"}, "no model named 'no_such_model'"),
    ({"image_topic": "other"}, "read-only"),
    ({"autostart": False}, "read-only"),
    ({"click_box_width": 1}, "click_box_width"),
])
def test_bad_values_are_rejected_with_a_reason(harness: Harness, values: dict, reason: str) -> None:
    """A bad value is refused through the parameter service with a reason, and tracking goes on."""
    results = set_params(harness, **values)
    assert not results[0].successful
    assert reason in results[0].reason, results[0].reason
    name = next(iter(values))
    assert harness.tracker.get_parameter(name).value != values[name]
    for i in (1, 2, 3):
        frame, truth = scene_frame(i)
        assert harness.track_frame(frame)[1].iou(truth) > 0.5


def test_corrupt_model_is_rejected_and_the_old_one_keeps_tracking(
        harness: Harness, corrupt_model: Path, follow_model: Path) -> None:
    """A model file that does not load is refused (reason names the file); the running model goes on."""
    results = set_params(harness, model=str(corrupt_model))
    assert not results[0].successful and str(corrupt_model) in results[0].reason
    assert harness.tracker.get_parameter("model").value == str(follow_model)
    for i in (1, 2, 3):
        frame, truth = scene_frame(i)
        assert harness.track_frame(frame)[1].iou(truth) > 0.5
    diag = harness.latest_diagnostics(predicate=lambda d: int(d["model_load_failures"]) >= 1)
    assert diag["model"] == follow_model.stem and int(diag["rejected_parameter"]) >= 1


def _renamed_copy(model: Path, folder: Path, name: str) -> Path:
    shutil.copy(model, folder / f"{name}.onnx")
    card = json.loads(model.with_suffix(".json").read_text())
    card["name"] = name
    (folder / f"{name}.json").write_text(json.dumps(card))
    return folder / f"{name}.onnx"


@pytest.mark.parametrize("change", ["model", "backend"])
def test_runtime_swap_keeps_tracking(harness: Harness, follow_model: Path, tmp_path: Path, change: str) -> None:
    """
    Check that a runtime model or backend swap keeps tracking.

    Setting model (or backend) from another node loads beside the running model and swaps between frames;
    every frame published meanwhile gets a box, and the box keeps following across the swap.
    """
    if change == "backend":
        pytest.importorskip("torch", reason="the torch backend needs torch")
    values = ({"model": str(_renamed_copy(follow_model, tmp_path, "cnn_follow_b"))} if change == "model"
              else {"backend": "torch"})
    results: list = []
    caller = threading.Thread(target=lambda: results.extend(set_params(harness, **values)))
    i, ious = 1, []
    caller.start()
    while caller.is_alive() or i < 6:
        frame, truth = scene_frame(i)
        ious.append(harness.track_frame(frame)[1].iou(truth))
        i += 1
        time.sleep(0.02)
    caller.join()
    assert results and results[0].successful, results
    for j in range(i, i + 8):
        frame, truth = scene_frame(j)
        ious.append(harness.track_frame(frame)[1].iou(truth))
    assert min(ious) > 0.5, f"tracking broke around the swap: {[round(v, 2) for v in ious]}"
    diag = harness.latest_diagnostics(predicate=lambda d: d["model_swaps"] == "1")
    if change == "model":
        assert diag["model"] == "cnn_follow_b"
    else:
        assert diag["backend"].startswith("torch")


def test_swap_to_another_family(harness: Harness, copied_model: Path) -> None:
    """A transformer model can replace the CNN at runtime; frames go on being processed."""
    assert set_params(harness, model=str(copied_model))[0].successful
    diag = harness.feed_until(lambda d: d["model_family"] == "transformer" and int(d["frames_processed"]) >= 3)
    assert diag["model"] == "vit_tiny" and diag["model_swaps"] == "1"


def test_live_settings_apply_without_reload(harness: Harness) -> None:
    """score_threshold and friends change the running tracker without loading a model."""
    assert set_params(harness, score_threshold=0.99, lost_after=2)[0].successful
    tracker = harness.tracker._models.current
    assert tracker.config.score_threshold == 0.99 and tracker.config.lost_after == 2
    diag = harness.feed_until(lambda d: d["tracking_state"] == "lost")
    assert diag["model_swaps"] == "0" and "target lost" in diag["_message"]
