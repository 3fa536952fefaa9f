# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""light-tracker study: the document and plots come from the reports' numbers; bad input is reported, not fatal."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from light_tracker_ros.cli.study import main
from light_tracker_ros.pruning.study import FORMAT, break_point, family_curves, read_reports

# (family, budget, AUC, ms at 1 thread, ms at 2 threads); budget None = the parent
MODELS = {
    "cnn_parent": ("cnn", None, 0.600, 20.0, 12.0), "cnn_parent_p25": ("cnn", 0.25, 0.570, 7.0, 4.5),
    "cnn_parent_p10": ("cnn", 0.10, 0.426, 5.0, 3.1),
    "vit_parent": ("transformer", None, 0.640, 22.0, 13.0), "vit_parent_p25": ("transformer", 0.25, 0.630, 6.8, 4.0),
    "vit_parent_p10": ("transformer", 0.10, 0.611, 4.0, 2.6),
}
PEERS = {"CSRT": (0.450, 9.0, 8.0), "KCF": (0.300, 1.5, 1.5), "MIL": (0.250, 30.0, 29.0)}


def report(path: Path, models: dict, peers: dict) -> Path:
    trackers, mean, latency = {}, {}, {}
    for name, (family, budget, auc, ms1, ms2) in models.items():
        card = {"name": name, "family": family, "budget": budget, "parent": None if budget is None else
                name.rsplit("_p", 1)[0], "params": 1000}
        trackers[name] = {"kind": "model", "source": f"{name}.onnx", "backend": "onnxruntime", "card": card}
        mean[name] = {"auc": auc, "precision_20": auc + 0.1}
        latency[name] = {"1": {"threads": 1, "mean_ms": ms1 + 1, "median_ms": ms1},
                         "2": {"threads": 2, "mean_ms": ms2 + 1, "median_ms": ms2}}
    for name, (auc, ms1, ms2) in peers.items():
        trackers[name] = {"kind": "peer", "source": "opencv", "backend": None, "card": None}
        mean[name] = {"auc": auc, "precision_20": None}
        latency[name] = {"1": {"median_ms": ms1}, "2": {"median_ms": ms2}}
    path.write_text(json.dumps({"format": FORMAT, "trackers": trackers, "mean": mean, "latency": latency}))
    return path


def test_document_states_the_best_family_and_break_points_in_numbers(tmp_path: Path) -> None:
    a = report(tmp_path / "a.json", {k: v for k, v in MODELS.items() if k.startswith("cnn")}, PEERS)
    b = report(tmp_path / "b.json", {k: v for k, v in MODELS.items() if k.startswith("vit")}, {})
    assert main(["--results", str(a), str(b), "--out", str(tmp_path / "docs")]) == 0
    doc = (tmp_path / "docs" / "compression_study.md").read_text()
    assert "**transformer holds up best**: mean AUC retention 0.97" in doc
    assert "cnn 0.83" in doc
    assert "keeps at least 90% of its AUC down to budget 0.25 (`cnn_parent_p25`, AUC 0.570, 95% of the parent)" in doc
    assert "breaks at budget 0.1 (`cnn_parent_p10`, AUC 0.426, 71% of the parent)" in doc
    assert "4.0x at 0.1" in doc and "5.5x at 0.1" in doc
    assert "Best classical peer: CSRT, AUC 0.450 at 9.00 ms" in doc
    assert "| `vit_parent_p10` | 0.1 | 1000 | 0.611 | 0.95 |" in doc
    for plot in ("compression_auc_vs_budget.png", "compression_latency_vs_budget.png",
                 "compression_auc_vs_latency.png"):
        assert (tmp_path / "docs" / plot).stat().st_size > 1000
        assert f"]({plot})" in doc


def test_numbers_follow_the_data(tmp_path: Path) -> None:
    models = dict(MODELS, cnn_parent_p25=("cnn", 0.25, 0.600, 7.0, 4.5), cnn_parent_p10=("cnn", 0.10, 0.590, 5.0, 3.1))
    path = report(tmp_path / "r.json", models, {})
    curves = family_curves(read_reports([path]))
    assert [c.family for c in curves] == ["cnn", "transformer"]
    ok, bad = break_point(curves[0], 0.9)
    assert ok.name == "cnn_parent_p10" and bad is None
    assert main(["--results", str(path), "--out", str(tmp_path / "d")]) == 0
    text = (tmp_path / "d" / "compression_study.md").read_text()
    assert "**cnn holds up best**" in text and "at every budget" in text


def test_an_imported_parent_of_the_same_family_gets_its_own_curve(tmp_path: Path) -> None:
    models = dict(MODELS, nanotrack_v3=("cnn", None, 0.700, 6.0, 4.0),
                  nanotrack_v3_p25=("cnn", 0.25, 0.660, 3.0, 2.0), nanotrack_v3_p10=("cnn", 0.10, 0.500, 2.5, 1.8))
    curves = family_curves(read_reports([report(tmp_path / "r.json", models, PEERS)]))
    assert [c.label for c in curves] == ["cnn (cnn_parent)", "cnn (nanotrack_v3)", "transformer"]
    imported = curves[1]
    assert imported.parent.name == "nanotrack_v3" and [e.name for e in imported.points[1:]] == [
        "nanotrack_v3_p25", "nanotrack_v3_p10"]
    assert abs(imported.retention(imported.points[1]) - 0.660 / 0.700) < 1e-9
    assert main(["--results", str(tmp_path / "r.json"), "--out", str(tmp_path / "d")]) == 0
    doc = (tmp_path / "d" / "compression_study.md").read_text()
    assert "## cnn (nanotrack_v3)" in doc and "## cnn (cnn_parent)" in doc
    assert "**cnn (nanotrack_v3)** (parent `nanotrack_v3`, AUC 0.700) keeps at least 90% of its AUC down to " \
           "budget 0.25" in doc
    assert main(["--results", str(tmp_path / "r.json"), "--out", str(tmp_path / "e"), "--exclude", "nanotrack_v3_p25",
                 "cnn_parent_p10"]) == 0
    doc = (tmp_path / "e" / "compression_study.md").read_text()
    assert "nanotrack_v3_p25" not in doc and "cnn_parent_p10" not in doc and "`nanotrack_v3_p10`" in doc


def test_unreadable_or_foreign_reports_are_rejected(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "other.json").write_text(json.dumps({"format": "something/9"}))
    assert main(["--results", str(tmp_path / "other.json"), "--out", str(tmp_path)]) == 2
    assert "something/9" in capsys.readouterr().err
    assert main(["--results", str(tmp_path / "missing.json"), "--out", str(tmp_path)]) == 2
    assert "light-tracker evaluate --json" in capsys.readouterr().err
    peers_only = report(tmp_path / "peers.json", {}, PEERS)
    assert main(["--results", str(peers_only), "--out", str(tmp_path)]) == 2
    assert not (tmp_path / "compression_study.md").exists()
