# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Diagnostics on /diagnostics: about 1 Hz, REP-107 levels, and the values the README lists."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from diagnostic_msgs.msg import DiagnosticStatus
from ros_fixtures import FOLLOW_PARAMS, Harness, scene_frame
from sensor_msgs.msg import Image

from light_tracker_ros.ros.diagnostics import STAGES

KEYS = ("model", "model_family", "model_budget", "backend", "input_rate_hz", "processing_rate_hz",
        "frames_received", "frames_processed", "frames_dropped", "frames_rejected", "tracking_state", "score",
        "box_xywh", "track_id", "torch_imported", "vision_msgs")


def test_contents_rate_and_ok_level(context, follow_model: Path) -> None:
    """While tracking: level OK, about one message a second, model/backend/rates/counters/latency per stage."""
    h = Harness(context, {"model": str(follow_model), **FOLLOW_PARAMS})
    try:
        h.init_roi(*scene_frame(0))
        start = len(h.diagnostics)
        t0 = time.monotonic()
        i = 1
        while time.monotonic() - t0 < 3.2:
            h.track_frame(scene_frame(i % 40)[0] if i < 40 else scene_frame(39)[0])
            i += 1
            time.sleep(0.02)
        during = h.diagnostics[start:]
        assert 2 <= len(during) <= 5, f"{len(during)} diagnostics in 3.2 s"
        # the rates of a period spent wholly in the loop above, which sends frames back to back: well above zero
        # (not a speed check: a loaded machine may answer a few frames a second)
        live = during[-1]
        assert float(live["processing_rate_hz"]) > 1.0 and float(live["input_rate_hz"]) > 1.0
        # state, message and level while frames flow (a message published after the loop may add "no images")
        assert live["tracking_state"] == "tracking" and live["_message"] == "tracking"
        assert h.levels[start + len(during) - 1] == DiagnosticStatus.OK
        d = h.latest_diagnostics(predicate=lambda d: int(d["frames_processed"]) >= i)
        for key in KEYS + tuple(f"latency_{s}_{q}_ms" for s in STAGES for q in ("p50", "p95", "max")):
            assert key in d, f"diagnostics lack {key}"
        assert d["model"] == follow_model.stem and d["model_family"] == "cnn" and d["backend"] == "onnxruntime x1"
        assert d["tracking_state"] == "tracking"
        assert int(d["frames_received"]) >= i - 1 and int(d["frames_processed"]) >= i - 1
        for stage in ("convert", "preprocess", "inference", "postprocess", "in_node", "end_to_end"):
            p50, p95, peak = (float(d[f"latency_{stage}_{q}_ms"]) for q in ("p50", "p95", "max"))
            assert 0.0 <= p50 <= p95 <= peak < 1000.0, stage
        assert float(d["latency_end_to_end_p50_ms"]) >= float(d["latency_inference_p50_ms"])
        assert 0.0 < float(d["score"]) <= 1.0 and d["torch_imported"] in ("True", "False")
    finally:
        h.close()


def test_warn_when_target_lost_or_rate_below_expected(context, follow_model: Path) -> None:
    """Level WARN with a reason when the target is lost and when processing is slower than expected_rate."""
    h = Harness(context, {"model": str(follow_model), "lost_after": 2, "expected_rate": 500.0, **FOLLOW_PARAMS})
    try:
        h.init_roi(*scene_frame(0))
        empty = np.random.default_rng(0).integers(0, 80, (120, 160, 3), dtype=np.uint8)
        for _ in range(4):
            h.publish(empty)
            time.sleep(0.05)
        d = h.latest_diagnostics(predicate=lambda d: d["tracking_state"] == "lost")
        assert h.levels[-1] == DiagnosticStatus.WARN
        assert "target lost" in d["_message"] and "below expected 500.0 Hz" in d["_message"]
    finally:
        h.close()


def test_error_after_repeated_failures_then_recovers(context, follow_model: Path) -> None:
    """max_consecutive_failures bad frames in a row give ERROR; good frames bring the level back."""
    h = Harness(context, {"model": str(follow_model), "max_consecutive_failures": 3, **FOLLOW_PARAMS})
    try:
        h.init_roi(*scene_frame(0))
        bad = Image(header=h.header(), encoding="32FC1", width=2, height=2, step=8, data=bytes(16))
        for _ in range(4):
            bad.header = h.header()
            h.image_pub.publish(bad)
            h.wait_for(lambda: True, 0.0, "")
            time.sleep(0.05)
        d = h.latest_diagnostics(predicate=lambda d: int(d["consecutive_failures"]) >= 3)
        assert h.levels[-1] == DiagnosticStatus.ERROR and "frames failed in a row" in d["_message"]
        assert "32FC1" in d["last_error"]
        h.track_frame(scene_frame(1)[0])
        d = h.latest_diagnostics(predicate=lambda d: d["consecutive_failures"] == "0")
        assert h.levels[-1] != DiagnosticStatus.ERROR
        assert d["last_error"] == "none", "a processed frame clears the last error"
        long = Image(header=h.header(), encoding="x" * 5000, width=2, height=2, step=8, data=bytes(16))
        h.image_pub.publish(long)
        d = h.latest_diagnostics(predicate=lambda d: d["last_error"].startswith("encoding"))
        assert len(d["last_error"]) <= 300, "last_error is bounded"
    finally:
        h.close()
