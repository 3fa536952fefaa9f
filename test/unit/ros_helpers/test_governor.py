# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The latency governor's ladder and decisions, without ROS."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from light_tracker_ros.ros.governor import LatencyGovernor, Rung, build_ladder, rungs_in

FAMILY = [Rung("cnn_parent"), Rung("cnn_parent_p25", "cnn_parent", 0.25), Rung("cnn_parent_p01", "cnn_parent", 0.01),
          Rung("cnn_parent_p10", "cnn_parent", 0.1), Rung("vit_parent"), Rung("vit_parent_p10", "vit_parent", 0.1)]


def test_ladder_is_the_requested_model_then_lighter_relatives_heaviest_first() -> None:
    """A parent leads its children by budget; a child leads only the lighter ones; strangers stay alone."""
    assert build_ladder(FAMILY, "cnn_parent") == ["cnn_parent", "cnn_parent_p25", "cnn_parent_p10", "cnn_parent_p01"]
    assert build_ladder(FAMILY, "cnn_parent_p10") == ["cnn_parent_p10", "cnn_parent_p01"]
    assert build_ladder(FAMILY, "cnn_parent_p01") == ["cnn_parent_p01"]
    assert build_ladder(FAMILY, "unknown") == ["unknown"]


def test_rungs_are_read_from_cards_beside_onnx_files(tmp_path: Path) -> None:
    """Cards with an .onnx beside them count; stray JSON and cards named otherwise do not."""
    for name, parent, budget in (("p", None, None), ("p_c", "p", 0.5)):
        (tmp_path / f"{name}.json").write_text(json.dumps({"name": name, "parent": parent, "budget": budget}))
        (tmp_path / f"{name}.onnx").write_bytes(b"")
    (tmp_path / "lonely.json").write_text(json.dumps({"name": "lonely"}))
    (tmp_path / "x.json").write_text(json.dumps({"name": "other"}))
    (tmp_path / "x.onnx").write_bytes(b"")
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "broken.onnx").write_bytes(b"")
    assert sorted(rungs_in([tmp_path, tmp_path / "missing"]), key=lambda r: r.name) == [
        Rung("p"), Rung("p_c", "p", 0.5)]


def _feed(governor: LatencyGovernor, value: float, n: int, now: float):
    decision = None
    for _ in range(n):
        governor.add(value)
        decision = decision or governor.decide(now)
    return decision


def test_steps_down_one_rung_over_budget_and_up_with_room() -> None:
    """Over budget: one rung lighter; between room*budget and budget: stay; under: one rung heavier."""
    gov = LatencyGovernor(["a", "b", "c"], 100.0, min_samples=5, cooldown=1.0)
    assert _feed(gov, 150.0, 4, now=10.0) is None, "needs min_samples"
    down = _feed(gov, 150.0, 1, now=10.0)
    assert (down.model, down.direction) == ("b", "down") and "over the 100 ms budget" in down.reason
    assert gov.decide(10.0) is None, "nothing new while a swap is pending"
    gov.done(True, now=10.0)
    assert gov.model == "b" and gov.swaps == 1
    assert _feed(gov, 150.0, 10, now=10.5) is None, "cooldown"
    assert _feed(gov, 150.0, 1, now=11.5).model == "c", "after the cooldown"
    gov.done(True, now=11.5)
    assert _feed(gov, 70.0, 30, now=20.0) is None, "inside the hysteresis band"
    assert _feed(gov, 500.0, 30, now=20.0) is None, "no rung lighter than the last"
    up = _feed(gov, 30.0, 100, now=30.0)
    assert (up.model, up.direction) == ("b", "up") and "under 0.5 x the 100 ms budget" in up.reason
    gov.done(True, now=30.0)
    assert _feed(gov, 30.0, 100, now=40.0).model == "a"
    gov.done(True, now=40.0)
    assert gov.model == "a" and _feed(gov, 10.0, 50, now=50.0) is None, "never above the requested model"


def test_a_bounce_doubles_the_cooldown() -> None:
    """A step up followed soon by a step down doubles the wait, so two rungs straddling the budget do not flap."""
    gov = LatencyGovernor(["a", "b"], 100.0, min_samples=3, cooldown=1.0)
    _feed(gov, 200.0, 3, now=0.0)
    gov.done(True, now=0.0)
    _feed(gov, 10.0, 3, now=2.0)
    gov.done(True, now=2.0)
    assert gov.model == "a"
    _feed(gov, 200.0, 3, now=3.5)
    assert gov.cooldown == 2.0
    gov.done(True, now=3.5)
    assert _feed(gov, 10.0, 3, now=5.0) is None, "the doubled cooldown still runs"
    assert _feed(gov, 10.0, 3, now=6.0).model == "a"


def test_a_model_that_fails_to_load_leaves_the_ladder() -> None:
    """A failed swap keeps the running model and drops the bad rung."""
    gov = LatencyGovernor(["a", "b", "c"], 100.0, min_samples=1, cooldown=0.0)
    assert _feed(gov, 500.0, 1, now=0.0).model == "b"
    gov.done(False, now=0.0)
    assert gov.ladder == ["a", "c"] and gov.model == "a" and "failed to load" in gov.last_reason
    assert _feed(gov, 500.0, 1, now=1.0).model == "c"


def test_bad_settings_are_refused() -> None:
    """A budget of zero or an empty ladder is a programming error."""
    with pytest.raises(ValueError):
        LatencyGovernor(["a"], 0.0)
    with pytest.raises(ValueError):
        LatencyGovernor([], 10.0)
