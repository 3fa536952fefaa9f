# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The runner, reports and CLIs end to end on tiny generated sequences."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import cv2
import numpy as np
import pytest
from scenes import SQUARE

from light_tracker_ros.cli import build_validation, evaluate as evaluate_cli
from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.data.sequences import ArrayFrames, Sequence, load_dataset, write_sequence
from light_tracker_ros.evaluation.report import format_table, read_json, write_json
from light_tracker_ros.evaluation.runner import evaluate, measure_latency, model_entry, peer_entry


def _sequence(n: int = 10, unannotated_head: int = 1) -> Sequence:
    frames, boxes = SQUARE.frames(n)
    boxes[:unannotated_head] = np.nan
    return Sequence("square", ArrayFrames(frames), boxes)


def test_runner_records_boxes_times_and_scores():
    seq = _sequence()
    result = evaluate([peer_entry("kcf")], [seq], progress=False)
    run = result.runs["KCF"]["square"]
    assert np.isnan(run.boxes[0]).all() and np.isnan(run.times_ms[:2]).all()  # before and at init
    np.testing.assert_allclose(run.boxes[1], seq.groundtruth[1])  # init frame holds the given box
    assert np.isfinite(run.times_ms[2:]).all() and run.n_updates == 8
    assert run.metrics.n_scored == 8
    assert run.metrics.precision_20 == 1.0 and run.metrics.auc > 0.6
    assert result.mean("KCF").auc == pytest.approx(run.metrics.auc)


def test_json_round_trip_rescores_identically(tmp_path):
    seq = _sequence()
    result = evaluate([peer_entry("kcf"), peer_entry("csrt")], [seq], max_frames=6, progress=False)
    assert len(result.sequences[0].groundtruth) == 6
    path = write_json(result, tmp_path / "out" / "eval.json")
    data = json.loads(path.read_text())
    assert data["machine"]["cpu_count"] >= 1 and data["settings"]["threads"] == 1
    assert data["results"]["KCF"]["square"]["boxes"][0] == [None] * 4
    again = read_json(path)
    for name in ("KCF", "CSRT"):
        stored = result.runs[name]["square"].metrics
        rescored = again.runs[name]["square"].metrics
        assert rescored.auc == pytest.approx(stored.auc) and rescored.n_scored == stored.n_scored
        assert rescored.ms_per_frame == pytest.approx(stored.ms_per_frame, abs=1e-3)
    table = format_table(again)
    assert "MEAN" in table and "CSRT" in table and "square" in table
    with pytest.raises(DatasetError, match="not an evaluation report"):
        (tmp_path / "other.json").write_text("{}")
        read_json(tmp_path / "other.json")


def test_model_and_peer_on_the_same_frames_with_latency(tiny_model):
    seq = _sequence(n=8, unannotated_head=0)
    entries = [model_entry(str(tiny_model), TrackerConfig()), peer_entry("kcf")]
    assert entries[0].name == "cnn_tiny" and entries[0].card["family"] == "cnn"
    result = evaluate(entries, [seq], progress=False)
    run = result.runs["cnn_tiny"]["square"]
    assert np.isfinite(run.boxes).all() and run.n_updates == 7
    assert set(run.stage_ms) == {"preprocess", "inference", "postprocess"} and run.stage_ms["inference"] > 0
    latency = measure_latency(entries, [seq], [1, 2], max_updates=3, warmup=1)
    assert set(latency["cnn_tiny"]) == {1, 2}
    assert latency["cnn_tiny"][2].n_updates == 3 and latency["KCF"][1].mean_ms > 0
    result.latency = latency
    assert "2 threads" in format_table(result)


def test_evaluate_cli_end_to_end(tiny_model, tmp_path, capsys):
    frames, boxes = SQUARE.frames(8)
    write_sequence(tmp_path / "data" / "square", frames, boxes)
    out = tmp_path / "eval.json"
    code = evaluate_cli.main(["--model", f"{tiny_model},{tiny_model}", "--dataset", str(tmp_path / "data"),
                              "--peers", "kcf", "--json", str(out), "--no-progress", "--latency-threads", "1,2",
                              "--latency-updates", "2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "MEAN" in printed and "cnn_tiny#2" in printed and "KCF" in printed
    data = json.loads(out.read_text())
    assert set(data["trackers"]) == {"cnn_tiny", "cnn_tiny#2", "KCF"}
    assert data["trackers"]["cnn_tiny"]["card"]["variant"] == "cnn_tiny"
    assert set(data["latency"]["cnn_tiny"]) == {"1", "2"}
    assert len(data["results"]["KCF"]["square"]["times_ms"]) == 8


def test_evaluate_cli_reports_clear_errors(tmp_path, capsys):
    assert evaluate_cli.main(["--dataset", str(tmp_path / "missing"), "--peers", "kcf", "--no-progress"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert evaluate_cli.main(["--dataset", str(tmp_path), "--peers", "none"]) == 2
    assert "nothing to evaluate" in capsys.readouterr().err
    assert evaluate_cli.main(["--dataset", str(tmp_path), "--model", str(tmp_path / "nope.onnx")]) == 2
    assert "nope.onnx" in capsys.readouterr().err  # the refusal's wording is the model loader's (issue 11)


def _manifest_dir(tmp_path):
    frames, boxes = replace(SQUARE, size=(96, 128)).frames(12)
    video = tmp_path / "source.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (128, 96))
    for i, frame in enumerate(frames):
        writer.write(np.clip(frame.astype(int) + 10 * i, 0, 255).astype(np.uint8))
    writer.release()
    decoded = []
    capture = cv2.VideoCapture(str(video))
    for _ in range(12):
        decoded.append(capture.read()[1])
    shared = tmp_path / "shared" / "validation"
    (shared / "walker").mkdir(parents=True)
    gt = boxes[3:10].copy()
    gt[4] = np.nan
    np.savetxt(shared / "walker" / "groundtruth.txt", gt, fmt="%.0f", delimiter=",")
    entry = {"name": "walker", "source_video": "source.avi", "start_frame": 3, "n_frames": 7,
             "annotation": {"n_annotated": 6},
             "decode_check": {"frame_3_mean": float(decoded[3].mean()), "frame_9_mean": float(decoded[9].mean())}}
    (shared / "manifest.json").write_text(json.dumps({"sequences": [entry]}))
    return shared, video, entry, decoded


def test_build_validation_writes_loadable_sequences(tmp_path, capsys):
    shared, video, _, decoded = _manifest_dir(tmp_path)
    out = tmp_path / "validation"
    assert build_validation.main(["--shared", str(shared), "--video", str(video), "--out", str(out)]) == 0
    (seq,) = load_dataset(out)
    assert seq.name == "walker" and len(seq) == 7
    assert all(np.array_equal(a, b) for a, b in zip(seq, decoded[3:10]))
    assert np.isnan(seq.groundtruth[4]).all()


def test_build_validation_detects_a_misaligned_decoder(tmp_path, capsys):
    shared, video, entry, _ = _manifest_dir(tmp_path)
    entry["decode_check"]["frame_9_mean"] += 5.0
    (shared / "manifest.json").write_text(json.dumps({"sequences": [entry]}))
    assert build_validation.main(["--shared", str(shared), "--video", str(video), "--out", str(tmp_path / "v")]) == 2
    assert "misaligned" in capsys.readouterr().err
    entry["decode_check"]["frame_9_mean"] -= 5.0
    entry["n_frames"] = 8
    (shared / "manifest.json").write_text(json.dumps({"sequences": [entry]}))
    assert build_validation.main(["--shared", str(shared), "--video", str(video), "--out", str(tmp_path / "v")]) == 2
    assert "7 lines but the manifest says n_frames=8" in capsys.readouterr().err


def test_evaluation_modules_never_import_rclpy():
    code = ("import sys, light_tracker_ros.evaluation.report, light_tracker_ros.cli.evaluate, "
            "light_tracker_ros.cli.build_validation, light_tracker_ros.data.readers; "
            "print('rclpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_own_validation_manifest_matches_its_groundtruth():
    from light_tracker_ros.core.paths import repo_root
    from light_tracker_ros.data.sequences import read_groundtruth

    folder = repo_root() / "config" / "validation"
    if not (folder / "manifest.json").is_file():
        pytest.skip("no config/validation manifest in this checkout")
    manifest = build_validation.load_manifest(folder)
    for entry in manifest["sequences"]:
        gt = read_groundtruth(folder / entry["name"] / "groundtruth.txt")
        build_validation.check_groundtruth(entry, gt, folder / entry["name"])  # raises on a count mismatch
        assert entry["end_frame"] - entry["start_frame"] + 1 == len(gt)
        assert entry["start_frame"] >= 404 or entry["end_frame"] <= 403  # never across the splice of vtest.avi
