# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The nanotrack and vittrack peers (cv2.TrackerNano / cv2.TrackerVit): model files by option or environment."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from published_layout import export_published
from scenes import ELLIPSE

from light_tracker_ros.cli import evaluate as evaluate_cli
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.evaluation.peers import create_peer, parse_peers
from light_tracker_ros.evaluation.runner import peer_entry
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture

VARIABLES = ("LIGHT_TRACKER_NANOTRACK_BACKBONE", "LIGHT_TRACKER_NANOTRACK_HEAD", "LIGHT_TRACKER_VITTRACK")


@pytest.fixture(autouse=True)
def no_peer_files_in_environment(monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="module")
def nanotrack_v2_files(tmp_path_factory):
    """Random-weight NanoTrack v2 in the published two-file layout cv2.TrackerNano loads."""
    torch.manual_seed(2)
    net = build_model(architecture("nanotrack_v2")).eval()
    with torch.no_grad():
        net.head.bbox_pred.weight.mul_(0.1)
        net.head.bbox_pred.bias.fill_(math.log(20.0))
    return export_published(net, tmp_path_factory.mktemp("nanotrack_v2"))


def test_peer_names_are_accepted():
    assert parse_peers("csrt,NanoTrack, vittrack") == ["csrt", "nanotrack", "vittrack"]


@pytest.mark.parametrize("kind, option, variable", [
    ("nanotrack", "--nanotrack-backbone", "LIGHT_TRACKER_NANOTRACK_BACKBONE"),
    ("vittrack", "--vittrack", "LIGHT_TRACKER_VITTRACK"),
])
def test_absent_model_file_names_option_and_variable(kind, option, variable):
    with pytest.raises(ConfigError, match=f"{option} PATH or set {variable}"):
        create_peer(kind)


def test_missing_file_from_environment_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("LIGHT_TRACKER_VITTRACK", str(tmp_path / "absent.onnx"))
    with pytest.raises(ConfigError, match="absent.onnx .from --vittrack or LIGHT_TRACKER_VITTRACK. does not exist"):
        peer_entry("vittrack")


def test_evaluate_without_peer_file_exits_2_with_the_option(tmp_path, capsys):
    code = evaluate_cli.main(["--dataset", str(tmp_path), "--peers", "vittrack", "--no-progress"])
    assert code == 2
    assert "--vittrack PATH or set LIGHT_TRACKER_VITTRACK" in capsys.readouterr().err


def test_nanotrack_peer_runs_from_environment(monkeypatch, nanotrack_v2_files):
    backbone, head = nanotrack_v2_files
    monkeypatch.setenv("LIGHT_TRACKER_NANOTRACK_BACKBONE", str(backbone))
    monkeypatch.setenv("LIGHT_TRACKER_NANOTRACK_HEAD", str(head))
    peer = peer_entry("nanotrack").make(1)
    assert peer.name == "NanoTrack"
    frame, box = ELLIPSE.frame(0)
    peer.init(frame, box.as_tuple())
    for i in range(1, 4):
        result = peer.update(ELLIPSE.frame(i)[0])
        assert result.box.is_finite() and result.box.w > 0
        assert 0.0 <= result.score <= 1.0


def test_option_files_take_precedence_over_environment(monkeypatch, nanotrack_v2_files, tmp_path):
    backbone, head = nanotrack_v2_files
    monkeypatch.setenv("LIGHT_TRACKER_NANOTRACK_BACKBONE", str(tmp_path / "absent.onnx"))
    peer = create_peer("nanotrack", {"backbone": str(backbone), "head": str(head)})
    assert peer.files == {"backbone": str(backbone), "head": str(head)}
    frame, box = ELLIPSE.frame(0)
    peer.init(frame, box.as_tuple())
    assert np.isfinite(peer.update(ELLIPSE.frame(1)[0]).box.as_tuple()).all()
