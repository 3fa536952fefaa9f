# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Clear errors for bad frames, boxes, model files, cards and config values."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.config import TrackerConfig, from_mapping
from light_tracker_ros.core.errors import (ConfigError, InvalidBoxError, InvalidFrameError, ModelFileError,
                                           TrackerError)
from light_tracker_ros.core.model_card import file_sha256
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.runtime import ModelSpec, open_model


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """Return an untrained cnn_tiny exported with its card."""
    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    folder = tmp_path_factory.mktemp("models")
    export_onnx(build_model(architecture("cnn_tiny")), folder, "tiny")
    return folder / "tiny.onnx"


@pytest.fixture
def tracker(model_file) -> Tracker:
    """Return a tracker on the untrained model (plumbing only)."""
    return Tracker(open_backend(model_file))


FRAME = np.zeros((120, 160, 3), np.uint8)


@pytest.mark.parametrize("frame,message", [
    (np.zeros((0, 0, 3), np.uint8), "empty"),
    (np.zeros((120, 160, 3), np.float32), "uint8"),
    (np.zeros((120, 160, 2), np.uint8), "shape"),
    ([[0, 1]], "numpy array"),
])
def test_bad_frames_are_rejected(tracker: Tracker, frame, message: str) -> None:
    """Empty, wrongly typed or shaped frames raise InvalidFrameError naming the problem."""
    with pytest.raises(InvalidFrameError, match=message):
        tracker.init(frame, (10, 10, 20, 20))


def test_grey_and_bgra_frames_are_accepted(tracker: Tracker) -> None:
    """Grey (HxW) and BGRA frames are converted, not rejected."""
    tracker.init(np.zeros((120, 160), np.uint8), (10, 10, 20, 20))
    assert tracker.update(np.zeros((120, 160, 4), np.uint8)).box.w > 0


@pytest.mark.parametrize("box,message", [
    ((float("nan"), 10, 20, 20), "non-finite"),
    ((10, 10, 0, 20), "positive width"),
    ((500, 500, 20, 20), "outside"),
    ((1, 2, 3), r"\(x, y, w, h\)"),
])
def test_bad_boxes_are_rejected(tracker: Tracker, box, message: str) -> None:
    """NaN, empty, outside and malformed boxes raise InvalidBoxError."""
    with pytest.raises(InvalidBoxError, match=message):
        tracker.init(FRAME, box)


def test_box_partly_outside_is_clipped(tracker: Tracker) -> None:
    """A box overlapping the border is clipped to the image, not refused."""
    tracker.init(FRAME, (-10, -10, 30, 30))
    assert tracker.box.as_tuple() == (0.0, 0.0, 20.0, 20.0)


def test_missing_model_file(tmp_path) -> None:
    """A path that does not exist is named in the error."""
    with pytest.raises(ModelFileError, match="nope.onnx is not a readable file"):
        open_backend(tmp_path / "nope.onnx")


def test_unknown_model_name_lists_available(tmp_path, model_file) -> None:
    """A name not in the models folder lists the names that are."""
    with pytest.raises(ModelFileError, match=r"available: \['tiny'\]"):
        open_model(ModelSpec("nope", model_dirs=(str(model_file.parent),)))


@pytest.mark.parametrize("backend", ["onnxruntime", "torch"])
def test_corrupt_model_file(tmp_path, model_file, backend: str) -> None:
    """Garbage bytes with a valid card (checksum of the garbage) give a ModelFileError naming the file."""
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x00not an onnx model" * 100)
    card = json.loads(model_file.with_suffix(".json").read_text())
    card["onnx_sha256"] = file_sha256(bad)
    bad.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="bad.onnx"):
        open_backend(bad, backend)


def test_changed_model_file_does_not_match_card(tmp_path, model_file) -> None:
    """A model file whose bytes differ from the card's checksum is refused."""
    shutil.copy(model_file.with_suffix(".json"), tmp_path / "tiny.json")
    (tmp_path / "tiny.onnx").write_bytes(model_file.read_bytes() + b"\x00")
    with pytest.raises(ModelFileError, match="does not match its card"):
        open_backend(tmp_path / "tiny.onnx")


def test_missing_card(tmp_path, model_file) -> None:
    """A model without a card beside it is refused, naming the expected card path."""
    shutil.copy(model_file, tmp_path / "lonely.onnx")
    with pytest.raises(ModelFileError, match="lonely.json"):
        open_backend(tmp_path / "lonely.onnx")


def test_card_with_wrong_input_size(tmp_path, model_file) -> None:
    """A card whose input sizes disagree with the ONNX inputs is refused by ONNX Runtime's check."""
    shutil.copy(model_file, tmp_path / "tiny.onnx")
    card = json.loads(model_file.with_suffix(".json").read_text())
    card["search_size"] = 256
    (tmp_path / "tiny.json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="input 'search' has another shape than its card's search_size"):
        open_backend(tmp_path / "tiny.onnx")


def test_bad_config_values() -> None:
    """Unknown keys, wrong types and out-of-range values are refused by name; errors share one family."""
    with pytest.raises(ConfigError, match="unknown key 'thresh'"):
        from_mapping(TrackerConfig, {"thresh": 0.5})
    with pytest.raises(ConfigError, match="'num_threads' must be an integer"):
        from_mapping(TrackerConfig, {"num_threads": "two"})
    with pytest.raises(ConfigError, match="'score_threshold' must be <= 1.0"):
        from_mapping(TrackerConfig, {"score_threshold": 2.0})
    with pytest.raises(ConfigError, match="'backend' must be one of"):
        from_mapping(TrackerConfig, {"backend": "tensorrt"})
    assert issubclass(ConfigError, TrackerError) and issubclass(ModelFileError, TrackerError)
    assert from_mapping(TrackerConfig, {"num_threads": 2}).num_threads == 2
