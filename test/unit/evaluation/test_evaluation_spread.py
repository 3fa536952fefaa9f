# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Spread of the mean: each tracker also run from start boxes shifted by +-j pixels (evaluate --jitter)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from scenes import SQUARE

from light_tracker_ros.cli import evaluate as evaluate_cli
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.data.sequences import ArrayFrames, Sequence, write_sequence
from light_tracker_ros.evaluation.report import format_table, read_json, write_json
from light_tracker_ros.evaluation.runner import evaluate, peer_entry, shifted_box, start_offsets


def _sequence(n: int = 10) -> Sequence:
    frames, boxes = SQUARE.frames(n)
    boxes[0] = np.nan
    return Sequence("square", ArrayFrames(frames), boxes)


def test_start_offsets_are_the_four_diagonal_shifts():
    assert start_offsets(0) == [(0.0, 0.0)]
    assert start_offsets(2) == [(0.0, 0.0), (-2.0, -2.0), (-2.0, 2.0), (2.0, -2.0), (2.0, 2.0)]
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="jitter must be a finite number of pixels >= 0"):
            start_offsets(bad)


def test_shifted_box_stays_inside_the_frame():
    np.testing.assert_allclose(shifted_box(np.array([10.0, 20, 30, 40]), (2.0, -2.0), (100, 200)), [12, 18, 30, 40])
    np.testing.assert_allclose(shifted_box(np.array([1.0, 0, 30, 40]), (-2.0, -2.0), (100, 200)), [0, 0, 30, 40])
    np.testing.assert_allclose(shifted_box(np.array([169.0, 59, 30, 40]), (2.0, 2.0), (100, 200)), [170, 60, 30, 40])


def test_jitter_runs_every_tracker_from_each_shifted_start_on_the_same_frames(tmp_path):
    seq = _sequence()
    result = evaluate([peer_entry("kcf"), peer_entry("csrt")], [seq], progress=False, jitter=2.0)
    assert set(result.runs) == {"KCF", "CSRT"}  # shifted runs never mix into the main table
    assert set(result.shifted["KCF"]) == {"-2,-2", "-2,+2", "+2,-2", "+2,+2"}
    shifted = result.shifted["KCF"]["+2,-2"]["square"]
    np.testing.assert_allclose(shifted.boxes[1], seq.groundtruth[1] + [2, -2, 0, 0])  # started from the moved box
    assert shifted.n_updates == 8 and shifted.metrics.n_scored == 8
    assert not np.allclose(shifted.boxes[2:], result.runs["KCF"]["square"].boxes[2:])  # a different run
    spread = result.spread("KCF")
    assert spread.starts[0] == "+0,+0" and len(spread.aucs) == 5
    assert spread.aucs[0] == pytest.approx(result.mean("KCF").auc)
    assert spread.aucs[4] == pytest.approx(result.mean("KCF", "+2,+2").auc)
    assert spread.mean == pytest.approx(np.mean(spread.aucs))
    assert spread.sd == pytest.approx(np.std(spread.aucs, ddof=1))
    assert spread.sd > 0  # shifted starts score differently on this scene
    table = format_table(result)
    assert "shifted by +-2 px" in table and f"{spread.mean:.3f}" in table
    again = read_json(write_json(result, tmp_path / "eval.json"))
    assert again.spread("CSRT").aucs == pytest.approx(result.spread("CSRT").aucs)
    data = json.loads((tmp_path / "eval.json").read_text())
    assert data["settings"]["jitter_px"] == 2.0 and data["spread"]["KCF"]["mean"] == pytest.approx(spread.mean)


def test_no_jitter_means_no_spread_table():
    result = evaluate([peer_entry("kcf")], [_sequence()], progress=False)
    assert result.shifted == {} and result.spread("KCF").aucs == (result.mean("KCF").auc,)
    assert "shifted by" not in format_table(result)


def test_evaluate_cli_jitter(tmp_path, capsys):
    frames, boxes = SQUARE.frames(8)
    write_sequence(tmp_path / "data" / "square", frames, boxes)
    args = ["--dataset", str(tmp_path / "data"), "--peers", "kcf", "--no-progress"]
    assert evaluate_cli.main(args + ["--jitter", "-1"]) == 2
    assert "jitter must be a finite number of pixels >= 0, got -1.0" in capsys.readouterr().err
    assert evaluate_cli.main(args + ["--jitter", "2", "--json", str(tmp_path / "eval.json")]) == 0
    assert "mean AUC from start boxes shifted by +-2 px" in capsys.readouterr().out
    assert len(json.loads((tmp_path / "eval.json").read_text())["shifted_results"]["KCF"]) == 4
