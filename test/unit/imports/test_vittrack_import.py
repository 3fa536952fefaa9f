# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Import of VitTrack from a published-layout ONNX file (random weights): outputs, card, tracking, refusals."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from published_layout import export_vittrack_published
from scenes import ELLIPSE

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, file_sha256
from light_tracker_ros.models.importer import VITTRACK_DECODING, import_vittrack, vittrack_output_error
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture
from light_tracker_ros.runtime import ModelSpec, create_tracker


def _random_vittrack(seed: int):
    """Return a random-weight VitTrack, layer norms included (identical ones would be merged by the exporter)."""
    torch.manual_seed(seed)
    net = build_model(architecture("vittrack")).eval()
    with torch.no_grad():
        for mod in net.modules():
            if isinstance(mod, torch.nn.LayerNorm):
                mod.weight.copy_(1 + 0.1 * torch.randn_like(mod.weight))
                mod.bias.copy_(0.1 * torch.randn_like(mod.bias))
    return net


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vittrack")
    published = export_vittrack_published(_random_vittrack(1), folder / "vittrack_published.onnx")
    card = import_vittrack(published, folder, "vittrack_random")
    return published, folder / "vittrack_random.onnx", card


def test_imported_outputs_match_the_published_file(imported):
    published, ours, _card = imported
    errors = [vittrack_output_error(ours, published, seed) for seed in range(2)]
    assert max(errors) < 1e-4, errors


def test_other_weights_do_not_match(imported, tmp_path):
    _published, ours, _card = imported
    other = export_vittrack_published(_random_vittrack(7), tmp_path / "other.onnx")
    assert vittrack_output_error(ours, other) > 1e-3


def test_card(imported):
    published, ours, card = imported
    assert ModelCard.load(ours.with_suffix(".json")) == card
    assert (card.family, card.variant, card.template_size, card.search_size) == ("transformer", "vittrack", 128, 256)
    assert (card.template_factor, card.search_factor, card.channel_order) == (2.0, 4.0, "bgr")
    assert card.decoding == VITTRACK_DECODING
    assert card.training["sources"][0]["sha256"] == file_sha256(published)


def test_tracks_through_the_runtime_tracker(imported):
    _published, ours, _card = imported
    tracker = create_tracker(ModelSpec(str(ours)), TrackerConfig(score_threshold=0.0))
    frame, box = ELLIPSE.frame(0)
    tracker.init(frame, box.as_tuple())
    for i in range(1, 5):
        result = tracker.update(ELLIPSE.frame(i)[0])
        assert result.found and np.isfinite(result.box.as_tuple()).all()
        assert 0 <= result.box.cx <= frame.shape[1] and 0 <= result.box.cy <= frame.shape[0]


def test_a_nanotrack_file_is_refused(tmp_path):
    from published_layout import export_published

    backbone, _head = export_published(build_model(architecture("nanotrack_v3")), tmp_path)
    with pytest.raises(ModelFileError, match="convolutions and .* linears"):
        import_vittrack(backbone, tmp_path, "wrong")


def test_import_command(imported, tmp_path, capsys):
    from light_tracker_ros.cli import main as cli

    published, _ours, _card = imported
    code = cli.main(["import", "vittrack", "--file", str(published), "--out", str(tmp_path), "--check"])
    out = capsys.readouterr().out
    assert code == 0 and (tmp_path / "vittrack.onnx").is_file()
    assert float(out.split("published files: ")[1].split()[0]) < 1e-4
    assert cli.main(["import", "vittrack", "--out", str(tmp_path)]) == 2
    assert "needs --file" in capsys.readouterr().err
