# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``light-tracker benchmark-node`` output: every latency stage of the node's diagnostics, and the overhead split."""
from __future__ import annotations

import os

import pytest

from light_tracker_ros.cli.benchmark_node import PhaseResult, ROWS, profile_file, report, set_profile
from light_tracker_ros.ros.diagnostics import NodeStats, STAGES
from light_tracker_ros.ros.stats import fmt


def _phase(rate: float, timings: dict[str, float]) -> PhaseResult:
    """Build a phase whose diagnostics come from the node's own NodeStats (the same keys and formatting)."""
    stats = NodeStats()
    for _ in range(10):
        stats.frame_done(timings)
    values = {k: fmt(v) for k, v in stats.latency_values().items()}
    values.update(frames_processed="10", frames_received="10", frames_dropped="0", frames_missed="0",
                  torch_imported="False", model="vittrack", model_family="transformer", backend="onnxruntime x1")
    result = PhaseResult(rate, published=10, diagnostics=values, rss_mb=150.0, peak_rss_mb=160.0, seconds=1.0)
    for _ in range(10):
        result.boxes_latency.add(9.0)
        result.publish_call.add(0.5)
    return result


def test_every_stage_printed_and_the_split_in_the_summary(capsys: pytest.CaptureFixture) -> None:
    """Each diagnostics stage has a row; the summary gives transport and in-node overhead beside e2e - inference."""
    assert [stage for stage, _ in ROWS if stage is not None] == list(STAGES)
    timings = {stage: float(i + 1) for i, stage in enumerate(STAGES)}
    report(_phase(30.0, timings), _phase(60.0, timings), 30.0, (640, 480))
    out = capsys.readouterr().out
    for stage, label in ((s, lbl) for s, lbl in ROWS if s is not None):
        value = f"{float(STAGES.index(stage) + 1):.2f}"
        assert f"{label:<31}{value:>7} / {value:>7}" in out, label
    transport, in_node, overhead = (f"{STAGES.index(s) + 1:.2f}" for s in ("transport", "in_node_overhead",
                                                                           "node_overhead"))
    assert f"node overhead (e2e - inference), nominal: median {overhead} ms" in out
    assert f"= transport (stamp -> node's callback): median {transport} ms" in out
    assert f"+ in-node overhead (callback -> box published, minus inference): median {in_node} ms" in out
    assert "frames lost in transport (nominal): 0 of 10 published (0 expected)\n" in out


def test_profile_option_sets_and_clears_the_fast_dds_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--profile large`` points Fast DDS at the shipped XML (it exists); ``default`` removes the variable."""
    monkeypatch.setenv("FASTDDS_DEFAULT_PROFILES_FILE", "/elsewhere.xml")
    assert "32 MB" in set_profile("large")
    assert os.environ["FASTDDS_DEFAULT_PROFILES_FILE"] == str(profile_file()) and profile_file().is_file()
    assert "512 KB" in set_profile("default")
    assert "FASTDDS_DEFAULT_PROFILES_FILE" not in os.environ
