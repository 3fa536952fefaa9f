# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``light-tracker validation`` over several manifest folders, and the repository's own manifest."""
from __future__ import annotations

import json
import shutil

import numpy as np
from test_evaluation_runner import _manifest_dir

from light_tracker_ros.cli import build_validation
from light_tracker_ros.core.paths import repo_root
from light_tracker_ros.data.sequences import read_groundtruth


def test_a_sequence_name_in_two_manifests_is_refused(tmp_path, capsys):
    shared, video, _, _ = _manifest_dir(tmp_path)
    other = tmp_path / "config" / "validation"
    shutil.copytree(shared, other)
    args = ["--shared", str(shared), "--shared", str(other), "--video", str(video), "--out", str(tmp_path / "v")]
    assert build_validation.main(args) == 2
    assert f"sequence walker of {other} is also in an earlier manifest" in capsys.readouterr().err
    entry = json.loads((other / "manifest.json").read_text())["sequences"][0]
    entry["name"] = "walker2"
    (other / "walker").rename(other / "walker2")
    (other / "manifest.json").write_text(json.dumps({"sequences": [entry]}))
    assert build_validation.main(args) == 0
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == [
        "manifest-config.json", "manifest-shared.json", "walker", "walker2"]


def test_own_sequences_are_distinct_people_with_plausible_boxes():
    folder = repo_root() / "config" / "validation"
    manifest = build_validation.load_manifest(folder)
    names = [e["name"] for e in manifest["sequences"]]
    assert len(names) == len(set(names)) and len(names) >= 5
    for entry in manifest["sequences"]:
        gt = read_groundtruth(folder / entry["name"] / "groundtruth.txt")
        boxes = gt[np.isfinite(gt).all(1)]
        width, height = entry["resolution"]
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 0] + boxes[:, 2] <= width).all()
        assert (boxes[:, 1] + boxes[:, 3] <= height).all() and (boxes[:, 2:] > 0).all()
        assert np.isfinite(gt[0]).all(), f"{entry['name']} must start on an annotated frame"
        step = np.abs(np.diff(gt[:, :2], axis=0))
        assert np.nanmax(step) < 30, f"{entry['name']}: a box jumps by {np.nanmax(step)} px between frames"
        assert entry["annotation"]["verification"] and entry["decode_check"]
