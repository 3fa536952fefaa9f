# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Import of NanoTrack v2/v3 from published-layout ONNX files (random weights): outputs, card, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from published_layout import export_published

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, file_sha256
from light_tracker_ros.models.importer import NANOTRACK_DECODING, import_nanotrack, max_output_error
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture


def _random_net(version: int, seed: int):
    torch.manual_seed(seed)
    net = build_model(architecture(f"nanotrack_v{version}"))
    with torch.no_grad():  # bias the box branch so exp() stays in a sensible pixel range
        net.head.bbox_pred.weight.mul_(0.1)
        net.head.bbox_pred.bias.fill_(math.log(30.0))
    return net.eval()


@pytest.fixture(scope="module", params=[3, 2])
def published(request, tmp_path_factory):
    """Random-weight NanoTrack of each version exported as the authors' two files, and its import."""
    version = request.param
    folder = tmp_path_factory.mktemp(f"nanotrack_v{version}")
    backbone, head = export_published(_random_net(version, seed=version), folder)
    card = import_nanotrack(version, backbone, head, folder / "imported", f"nanotrack_v{version}_random")
    return version, backbone, head, folder / "imported" / f"nanotrack_v{version}_random.onnx", card


def test_imported_outputs_match_published_files(published):
    version, backbone, head, ours, _card = published
    errors = [max_output_error(ours, backbone, head, seed) for seed in range(2)]
    assert max(errors) < 1e-4, f"v{version}: imported outputs differ from the published files by {errors}"


def test_a_different_network_does_not_match(published, tmp_path):
    """The comparison can fail: published files of other weights are far from the imported model."""
    version, _backbone, _head, ours, _card = published
    other_backbone, other_head = export_published(_random_net(version, seed=99), tmp_path)
    assert max_output_error(ours, other_backbone, other_head) > 1e-2


def test_card_carries_inputs_normalisation_decoding_and_provenance(published):
    version, backbone, head, ours, card = published
    loaded = ModelCard.load(ours.with_suffix(".json"))
    assert loaded == card
    assert (card.family, card.variant) == ("cnn", f"nanotrack_v{version}")
    assert (card.template_size, card.search_size) == (127, 255)
    assert card.search_factor == pytest.approx(255 / 127) and card.template_factor == 1.0
    assert card.channel_order == "bgr" and card.mean == (0.0, 0.0, 0.0)
    assert card.std == pytest.approx((1 / 255,) * 3)
    assert card.decoding == NANOTRACK_DECODING[version]
    assert card.licence == "Apache-2.0" and card.onnx_sha256 == file_sha256(ours)
    sources = card.training["sources"]
    assert [s["sha256"] for s in sources] == [file_sha256(backbone), file_sha256(head)]
    assert all(s["known"] == "unknown file" for s in sources)  # random weights are not the published files


def test_files_of_another_version_are_refused(published, tmp_path):
    version, backbone, head, _ours, _card = published
    other = 2 if version == 3 else 3
    with pytest.raises(ModelFileError, match="weighted layers|does not fit layer"):
        import_nanotrack(other, backbone, head, tmp_path, "wrong")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ModelFileError, match="absent_backbone.onnx does not exist"):
        import_nanotrack(3, tmp_path / "absent_backbone.onnx", tmp_path / "head.onnx", tmp_path, "x")


def test_published_weights_really_fill_the_network(published):
    """The imported ONNX holds the published weights, not the registry's fresh initialisation."""
    version, _backbone, _head, ours, _card = published
    from light_tracker_ros.models.onnx_weights import state_dict_from_onnx

    weights = state_dict_from_onnx(ours)
    expected = _random_net(version, seed=version).state_dict()
    key = "head.bbox_pred.weight"
    np.testing.assert_allclose(weights[key].numpy(), expected[key].numpy(), atol=1e-6)
    fresh = build_model(architecture(f"nanotrack_v{version}")).state_dict()
    assert not np.allclose(weights[key].numpy(), fresh[key].numpy(), atol=1e-3)


def test_import_command_writes_the_model_and_checks_it(published, tmp_path, capsys):
    from light_tracker_ros.cli import main as cli

    version, backbone, head, _ours, _card = published
    code = cli.main(["import", "nanotrack", "--version", str(version), "--backbone", str(backbone),
                     "--head", str(head), "--out", str(tmp_path), "--name", "imported", "--check"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert (tmp_path / "imported.onnx").is_file() and (tmp_path / "imported.json").is_file()
    error = float(out.split("largest output difference from the published files: ")[1].split()[0])
    assert error < 1e-4


def test_import_command_refuses_a_missing_file_with_exit_2(tmp_path, capsys):
    from light_tracker_ros.cli import main as cli

    code = cli.main(["import", "nanotrack", "--backbone", str(tmp_path / "none.onnx"), "--head",
                     str(tmp_path / "none.onnx"), "--out", str(tmp_path)])
    assert code == 2
    assert "none.onnx does not exist" in capsys.readouterr().err
