# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The runtime Tracker's card-driven SiamRPN/NanoTrack decoding, checked against hand-computed numbers.

A real NanoTrack v3 network (torch, exported to ONNX, run by ONNX Runtime) has its output convs set so that
every cell scores the same and predicts the same (left, top, right, bottom) distances: the peak is then the
window's centre cell and the new box follows from the card's penalty, size learning rate and context crop.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard
from light_tracker_ros.core.types import TrackState
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.importer import nanotrack_card_fields
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.runtime import ModelSpec, create_tracker

LTRB = (30.0, 60.0, 50.0, 60.0)  # crop pixels around each cell's point
SCORE_LOGIT = 2.0


@pytest.fixture(scope="module")
def constant_model(tmp_path_factory):
    torch.manual_seed(0)
    net = build_model(architecture("nanotrack_v3")).eval()
    with torch.no_grad():
        net.head.cls_logits.weight.zero_()
        net.head.cls_logits.bias.copy_(torch.tensor([0.0, SCORE_LOGIT]))
        net.head.bbox_pred.weight.zero_()
        net.head.bbox_pred.bias.copy_(torch.log(torch.tensor(LTRB)))
    folder = tmp_path_factory.mktemp("constant")
    export_onnx(net, folder, "nanotrack_constant", **nanotrack_card_fields(3, []))
    return folder / "nanotrack_constant.onnx"


def _context_side(w: float, h: float) -> float:
    pad = (w + h) * 0.5
    return math.sqrt((w + pad) * (h + pad))


def test_update_follows_the_authors_rules(constant_model):
    card = ModelCard.load(constant_model.with_suffix(".json"))
    d = card.decoding
    tracker = create_tracker(ModelSpec(str(constant_model)), TrackerConfig(score_threshold=0.3))
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
    x, y, w, h = 100.0, 80.0, 40.0, 80.0
    tracker.init(frame, (x, y, w, h))
    result = tracker.update(frame)

    side = 255 / 127 * _context_side(w, h)  # search crop side in frame pixels (context amount 0.5)
    pw, ph = (LTRB[0] + LTRB[2]) / 255 * side, (LTRB[1] + LTRB[3]) / 255 * side
    s_c = _context_side(pw, ph) / _context_side(w, h)
    r_c = (w / h) / (pw / ph)
    penalty = math.exp(-(max(r_c, 1 / r_c) * max(s_c, 1 / s_c) - 1) * d["penalty_k"])
    score = 1 / (1 + math.exp(-SCORE_LOGIT))
    lr = penalty * score * d["size_lr"]
    cx = x + w / 2 + (LTRB[2] - LTRB[0]) / 2 / 255 * side  # centre cell's point is the crop centre
    cy = y + h / 2 + (LTRB[3] - LTRB[1]) / 2 / 255 * side
    assert result.found and result.state == TrackState.TRACKING
    assert result.score == pytest.approx(score, abs=1e-5)
    assert result.box.cx == pytest.approx(cx, abs=1e-3) and result.box.cy == pytest.approx(cy, abs=1e-3)
    assert result.box.w == pytest.approx(w * (1 - lr) + pw * lr, abs=1e-3)
    assert result.box.h == pytest.approx(h * (1 - lr) + ph * lr, abs=1e-3)


def test_without_decoding_the_default_rules_apply(constant_model, tmp_path):
    """The same model with the card's decoding removed moves the size by size_smoothing, not by the penalty."""
    card = ModelCard.load(constant_model.with_suffix(".json"))
    plain = tmp_path / "plain.onnx"
    plain.write_bytes(constant_model.read_bytes())
    data = card.__dict__ | {"decoding": None, "name": "plain"}
    ModelCard(**data).save(plain.with_suffix(".json"))
    tracker = create_tracker(ModelSpec(str(plain)), TrackerConfig(size_smoothing=0.5, motion_prior=0.0))
    frame = np.full((240, 320, 3), 90, np.uint8)
    tracker.init(frame, (100.0, 80.0, 40.0, 80.0))
    box = tracker.update(frame).box
    side = (255 / 127) * math.sqrt(40 * 80)  # factor * sqrt(w h): no context
    assert box.w == pytest.approx(0.5 * 40 + 0.5 * (LTRB[0] + LTRB[2]) / 255 * side, abs=1e-3)


@pytest.mark.parametrize("decoding, rule", [
    ({"window_influence": 0.4}, "takes 'style'"),
    ({"style": "siamese", "unknown": 1}, "takes 'style'"),
    ({"style": "other"}, "decoding.style"),
    ({"style": "siamese", "penalty_k": -1}, "decoding.penalty_k"),
    ({"style": "siamese", "size_lr": "fast"}, "decoding.size_lr"),
    ({"style": "siamese", "window": "cosine"}, "decoding.window"),
])
def test_bad_decoding_is_refused_by_name(constant_model, decoding, rule):
    data = ModelCard.load(constant_model.with_suffix(".json")).__dict__ | {"decoding": decoding}
    data["mean"], data["std"] = list(data["mean"]), list(data["std"])
    with pytest.raises(ModelFileError, match=rule):
        ModelCard.from_dict(data)
