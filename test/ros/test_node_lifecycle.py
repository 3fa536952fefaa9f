# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The managed node over real DDS: lifecycle transitions, QoS overrides and matching, the latency governor."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rcl_interfaces.srv import GetParameters, SetParameters
from rclpy.duration import Duration
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_fixtures import FOLLOW_PARAMS, Harness, scene_frame
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from light_tracker_ros.ros.conversions import bgr_to_image


def change_state(h: Harness, transition: int) -> bool:
    """Ask the node for a lifecycle transition through its change_state service; return its success."""
    return h.call(ChangeState, "change_state", ChangeState.Request(transition=Transition(id=transition)),
                  timeout=30.0).success


def state(h: Harness) -> str:
    """Return the node's lifecycle state label, asked through its get_state service."""
    return h.call(GetState, "get_state", GetState.Request()).current_state.label


def test_transitions_including_a_failing_configure(context, follow_model: Path) -> None:
    """
    Check every transition through the lifecycle services.

    With autostart off the node waits unconfigured and unsubscribed; configure with a model that does not
    exist fails and says why in diagnostics; with a valid model configure loads it (inactive: still no
    subscription), activate subscribes and tracks, deactivate unsubscribes, cleanup frees the model.
    """
    h = Harness(context, {"model": "no_such_model", "autostart": False, **FOLLOW_PARAMS}, subscribed=False)
    try:
        assert state(h) == "unconfigured" and h.image_pub.get_subscription_count() == 0
        assert not change_state(h, Transition.TRANSITION_CONFIGURE)
        assert state(h) == "unconfigured"
        diag = h.latest_diagnostics(predicate=lambda d: d["lifecycle_state"] == "unconfigured")
        assert "no_such_model" in diag["last_error"] and diag["_message"].startswith("unconfigured")
        request = SetParameters.Request(parameters=[_param("model", str(follow_model)).to_parameter_msg()])
        assert h.call(SetParameters, "set_parameters", request).results[0].successful
        assert change_state(h, Transition.TRANSITION_CONFIGURE) and state(h) == "inactive"
        assert h.tracker._models.current is not None
        time.sleep(0.5)
        assert h.image_pub.get_subscription_count() == 0, "an inactive node must not subscribe"
        assert change_state(h, Transition.TRANSITION_ACTIVATE) and state(h) == "active"
        h.wait_for(lambda: h.image_pub.get_subscription_count() > 0 and h.roi_pub.get_subscription_count() > 0,
                   10.0, "the active node to subscribe")
        frame, truth = scene_frame(0)
        assert h.init_roi(frame, truth).iou(truth) > 0.9
        assert change_state(h, Transition.TRANSITION_DEACTIVATE) and state(h) == "inactive"
        h.wait_for(lambda: h.image_pub.get_subscription_count() == 0, 10.0, "the inactive node to unsubscribe")
        assert change_state(h, Transition.TRANSITION_CLEANUP) and state(h) == "unconfigured"
        assert h.tracker._models.current is None, "cleanup must free the model"
    finally:
        h.close()


def _param(name: str, value: object) -> Parameter:
    return Parameter(name, value=value)


def test_qos_override_parameters(context, follow_model: Path) -> None:
    """
    Check the standard QoS overrides.

    qos_overrides./image.subscription.* and qos_overrides./tracker/roi.publisher.* given at start-up set the
    QoS the other side sees over DDS, and are read-only parameters of the node.
    """
    h = Harness(context, {"model": str(follow_model), **FOLLOW_PARAMS,
                          "qos_overrides./image.subscription.reliability": "best_effort",
                          "qos_overrides./image.subscription.depth": 2,
                          "qos_overrides./tracker/roi.publisher.reliability": "best_effort"})
    try:
        subs = h.driver.get_subscriptions_info_by_topic("/image")
        assert [s.qos_profile.reliability for s in subs] == [ReliabilityPolicy.BEST_EFFORT], \
            "the override must win over the reliable publisher"
        assert h.tracker._image_sub.qos_profile.depth == 2
        pubs = h.driver.get_publishers_info_by_topic("/tracker/roi")
        assert [p.qos_profile.reliability for p in pubs] == [ReliabilityPolicy.BEST_EFFORT]
        names = ["qos_overrides./image.subscription.reliability", "qos_overrides./tracker/roi.publisher.depth"]
        values = h.call(GetParameters, "get_parameters", GetParameters.Request(names=names)).values
        assert (values[0].string_value, values[1].integer_value) == ("best_effort", 10)
        assert not h.tracker.set_parameters([_param(names[0], "reliable")])[0].successful, "must be read-only"
        frame, truth = scene_frame(0)
        assert h.init_roi(frame, truth).iou(truth) > 0.9
    finally:
        h.close()


def test_image_reliability_follows_the_publishers(context, follow_model: Path) -> None:
    """Without an override the subscription is reliable for reliable publishers, best effort once one is not."""
    h = Harness(context, {"model": str(follow_model), **FOLLOW_PARAMS})
    try:
        def reliability() -> list:
            return [s.qos_profile.reliability for s in h.driver.get_subscriptions_info_by_topic("/image")]
        h.wait_for(lambda: reliability() == [ReliabilityPolicy.RELIABLE], 10.0, "a reliable image subscription")
        sensor = h.driver.create_publisher(Image, "/image",
                                           QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT))
        h.wait_for(lambda: reliability() == [ReliabilityPolicy.BEST_EFFORT], 10.0, "a best-effort subscription")
        h.wait_for(lambda: sensor.get_subscription_count() == 1, 10.0, "the best-effort publisher to match")
        diag = h.latest_diagnostics(predicate=lambda d: d["image_reliability"] == "best_effort")
        assert diag["lifecycle_state"] == "active"
        h.driver.destroy_publisher(sensor)
        h.wait_for(lambda: reliability() == [ReliabilityPolicy.RELIABLE], 10.0, "reliable again")
    finally:
        h.close()


def _family(folder: Path, model: Path) -> None:
    """Copy ``model`` as a parent and two children (budgets 0.5 and 0.1) into ``folder``."""
    card = json.loads(model.with_suffix(".json").read_text())
    for name, parent, budget in (("gov", None, None), ("gov_p50", "gov", 0.5), ("gov_p10", "gov", 0.1)):
        shutil.copy(model, folder / f"{name}.onnx")
        (folder / f"{name}.json").write_text(json.dumps({**card, "name": name, "parent": parent, "budget": budget}))


def test_governor_steps_down_under_load_and_back_up(context, follow_model: Path, tmp_path: Path) -> None:
    """
    Check the latency governor against an artificial load.

    Frames stamped 1 s in the past make the end-to-end p95 exceed a 500 ms budget: the node swaps to the
    lighter children, one at a time; frames stamped now leave room and it climbs back to the requested parent.
    """
    _family(tmp_path, follow_model)
    h = Harness(context, {"model": "gov", "model_dirs": [str(tmp_path)], "latency_budget_ms": 500.0,
                          "governor_cooldown": 1.0, "diagnostics_period": 0.1, **FOLLOW_PARAMS})
    try:
        frame, truth = scene_frame(0)
        h.init_roi(frame, truth)
        seen: list[str] = []
        read = [0]

        def feed(delay: float, until, timeout: float = 60.0) -> dict:
            deadline, i = time.monotonic() + timeout, 0
            while time.monotonic() < deadline:
                with h._lock:
                    recent, read[0] = list(h.diagnostics[read[0]:]), len(h.diagnostics)
                for d in recent:
                    if not seen or seen[-1] != d["model"]:
                        seen.append(d["model"])
                    if until(d):
                        return d
                stamp = h.driver.get_clock().now() - Duration(seconds=delay)
                h.image_pub.publish(bgr_to_image(scene_frame(i % 3)[0], Header(stamp=stamp.to_msg(),
                                                                               frame_id="cam")))
                i += 1
                time.sleep(0.03)
            raise AssertionError(f"timed out; models seen {seen}")
        down = feed(1.0, lambda d: d["model"] == "gov_p10")
        assert "gov_p50" in seen, f"one rung at a time: {seen}"
        assert "over the 500 ms budget" in down["governor_last"]
        up = feed(0.0, lambda d: d["model"] == "gov")
        assert int(up["governor_swaps"]) >= 4, (seen, up) and "under 0.5 x the 500 ms budget" in up["governor_last"]
    finally:
        h.close()
