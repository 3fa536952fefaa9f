# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Confined model loading: names from folders, paths only when allowed, limits before reading, no leaks."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from light_tracker_ros.backends import open_backend
from light_tracker_ros.core.errors import ModelFileError, ModelOutputError
from light_tracker_ros.core.model_card import (MAX_CARD_BYTES, MAX_ONNX_BYTES, ModelCard, default_models_dir,
                                               file_sha256, resolve_model)
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.core.types import TrackState

SECRET = "s3cr3t-VALUE-FROM-FILE"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Return a folder holding an untrained cnn_tiny exported as ``tiny`` (card with its checksum)."""
    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    out = tmp_path_factory.mktemp("models")
    export_onnx(build_model(architecture("cnn_tiny")), out, "tiny")
    return out


def _copy(folder: Path, dest: Path, name: str = "tiny") -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for suffix in (".onnx", ".json"):
        shutil.copy(folder / f"tiny{suffix}", dest / f"{name}{suffix}")
    return dest / f"{name}.onnx"


def _card(folder: Path) -> dict:
    return json.loads((folder / "tiny.json").read_text())


def test_names_are_looked_up_in_folders_in_order(folder: Path, tmp_path: Path) -> None:
    """A name is found in the first folder that has it; '' stands for the installed models/ folder."""
    first = _copy(folder, tmp_path / "a")
    _copy(folder, tmp_path / "b")
    assert resolve_model("tiny", (str(tmp_path / "a"), str(tmp_path / "b")), allow_paths=False) == first
    installed = resolve_model("cnn_parent_p10", ("", str(tmp_path / "a")), allow_paths=False)
    assert installed.parent == default_models_dir()
    with pytest.raises(ModelFileError, match=r"no model named 'nope' in .*available: \['tiny'\]"):
        resolve_model("nope", (str(tmp_path / "a"),), allow_paths=False)


@pytest.mark.parametrize("request_text", ["/etc/passwd", "../models/tiny", "~/tiny.onnx", "tiny.onnx", "a/b"])
def test_paths_are_refused_unless_allowed(request_text: str) -> None:
    """Anything that looks like a path is refused by rule when allow_paths is false, before touching the disk."""
    with pytest.raises(ModelFileError, match=r"is a path; only model names .* \(allow_model_paths is false\)"):
        resolve_model(request_text, allow_paths=False)


def test_path_refusals_do_not_tell_which_files_exist(folder: Path, tmp_path: Path) -> None:
    """Missing file, missing card, a folder, an empty file: one text for all (only the request differs)."""
    (tmp_path / "nocard.onnx").write_bytes(b"x" * 10)
    (tmp_path / "dir.onnx").mkdir()
    (tmp_path / "empty.onnx").write_bytes(b"")
    (tmp_path / "empty.json").write_text("{}")
    reasons = set()
    for name in ("missing.onnx", "nocard.onnx", "dir.onnx", "empty.onnx"):
        with pytest.raises(ModelFileError) as info:
            resolve_model(str(tmp_path / name), allow_paths=True)
        reasons.add(str(info.value).replace(str(tmp_path / name), "<request>"))
    assert reasons == {"model '<request>' refused: a model path must name a readable .onnx file with its .json "
                       "card beside it"}
    with pytest.raises(ModelFileError, match="must end in .onnx"):
        resolve_model("/etc/shadow", allow_paths=True)
    assert resolve_model(str(_copy(folder, tmp_path / "ok")), allow_paths=True).name == "tiny.onnx"


@pytest.mark.parametrize("request_text,rule", [
    ("x" * 5000, "at most 4096"), ("tiny\x00.onnx", "at most 4096 printable"), (".hidden", "not a model name"),
    ("name with spaces", "not a model name"), ("", "no model given")])
def test_absurd_requests_are_refused_by_rule(request_text: str, rule: str) -> None:
    """Long, NUL-bearing, hidden and empty requests are refused with the rule; the echo is cut and escaped."""
    with pytest.raises(ModelFileError, match=rule) as info:
        resolve_model(request_text, allow_paths=True)
    assert len(str(info.value)) < 400 and "\x00" not in str(info.value)


def test_oversized_card_and_onnx_refused_before_reading(folder: Path, tmp_path: Path) -> None:
    """An 11 MB YAML card and a 600 MB (sparse) ONNX are refused from their size in well under a second."""
    model = _copy(folder, tmp_path / "big_card")
    model.with_suffix(".json").unlink()
    model.with_suffix(".yaml").write_text(("key: " + "v" * 1000 + "\n") * 11_000)
    t0 = time.perf_counter()
    with pytest.raises(ModelFileError, match=f"larger than the limit of {MAX_CARD_BYTES // 1024} KiB"):
        open_backend(model)
    assert time.perf_counter() - t0 < 0.5
    huge = _copy(folder, tmp_path / "big_onnx")
    with open(huge, "r+b") as handle:
        handle.truncate(MAX_ONNX_BYTES + 1)
    t0 = time.perf_counter()
    with pytest.raises(ModelFileError, match="larger than the limit of 512 MiB"):
        resolve_model(str(huge), allow_paths=True)
    with pytest.raises(ModelFileError, match="larger than the limit"):
        open_backend(huge)
    assert time.perf_counter() - t0 < 0.5


@pytest.mark.parametrize("text,suffix", [
    (f"name: tiny\npassword: {SECRET}: oops\n", ".yaml"),
    ('{"name": "tiny", "' + SECRET + '": 1,}', ".json"),
    (f"a: &x [{SECRET}]\nb: *x\n", ".yaml"),
    (json.dumps({"api_token": SECRET, "db_password": SECRET}), ".json"),
    ("\udcff".encode("utf-8", "surrogateescape").decode("latin-1") + SECRET, ".json"),
])
def test_card_errors_never_quote_the_file(folder: Path, tmp_path: Path, text: str, suffix: str) -> None:
    """Parse errors, unknown keys, aliases and bad bytes are refused without a word of the file's text."""
    model = _copy(folder, tmp_path)
    model.with_suffix(".json").unlink()
    model.with_suffix(suffix).write_text(text, encoding="latin-1")
    with pytest.raises(ModelFileError) as info:
        open_backend(model)
    message = str(info.value)
    assert SECRET not in message and "api_token" not in message and "password" not in message, message


@pytest.mark.parametrize("field,value,rule", [
    ("family", SECRET, "field 'family' must be one of"),
    ("channel_order", SECRET, "field 'channel_order' must be one of"),
    ("template_size", 10 ** 9, r"field 'template_size' must lie in \[8, 1024\]"),
    ("mean", [SECRET, 0, 0], "field 'mean' must be a list of three finite numbers"),
    ("architecture", {"family": "cnn", SECRET: [[[[[[[[[[[[[[1]]]]]]]]]]]]]]}, "nested deeper"),
    ("name", SECRET * 20, "longer than 256"),
    ("params", "many", "field 'params' must be a int"),
])
def test_card_schema_refusals_name_the_field_not_the_value(folder: Path, tmp_path: Path, field: str, value,
                                                           rule: str) -> None:
    """Each schema rule is named with the field; the offending value never appears."""
    model = _copy(folder, tmp_path)
    card = _card(folder)
    card[field] = value
    model.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match=rule) as info:
        open_backend(model)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("sha", [None, ""])
def test_card_without_checksum_is_refused(folder: Path, tmp_path: Path, sha) -> None:
    """A card with no or an empty onnx_sha256 does not run its file (a swapped ONNX must not run)."""
    model = _copy(folder, tmp_path)
    card = _card(folder)
    card["onnx_sha256"] = sha
    model.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="has no onnx_sha256"):
        open_backend(model)


def test_card_params_larger_than_the_file_are_refused(folder: Path, tmp_path: Path) -> None:
    """ONNX Runtime: a card claiming far more parameters than the file's initializers hold is refused."""
    model = _copy(folder, tmp_path)
    card = _card(folder)
    card["params"] = card["params"] * 8
    model.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="its card's 'params' needs more values than the"):
        open_backend(model)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def test_wide_architecture_refused_before_allocation(tmp_path: Path) -> None:
    """Torch: a card 8x wider than the ONNX weights is refused from the meta-device count; peak RSS barely moves."""
    source = default_models_dir() / "cnn_parent.onnx"
    model = tmp_path / "wide.onnx"
    shutil.copy(source, model)
    card = json.loads(source.with_suffix(".json").read_text())
    arch = card["architecture"]
    for stage in arch["backbone"]["stages"]:
        stage["out"] *= 8
        stage["mids"] = [m * 8 for m in stage.get("mids", [])] if "mids" in stage else stage.get("mids")
    arch["fusion"]["channels"] *= 8
    model.with_suffix(".json").write_text(json.dumps(card))
    import torch  # noqa: F401 - imported before the measurement
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS counter
    before = _peak_rss_mb()
    with pytest.raises(ModelFileError, match="the card's architecture needs more values than the"):
        open_backend(model, "torch")
    assert _peak_rss_mb() - before < 100.0, "the wide network was allocated before the refusal"


def test_model_file_swapped_under_its_card_is_refused(folder: Path, tmp_path: Path) -> None:
    """Another valid ONNX put in place of the file fails the checksum."""
    model = _copy(folder, tmp_path)
    shutil.copy(default_models_dir() / "cnn_parent_p01.onnx", model)
    with pytest.raises(ModelFileError, match="does not match its card"):
        open_backend(model)
    assert file_sha256(model) != _card(folder)["onnx_sha256"]


@pytest.fixture(scope="module")
def nan_model(tmp_path_factory) -> Path:
    """Export cnn_tiny whose size head has a NaN bias (a real model with NaN outputs) and a high score bias."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    model = build_model(architecture("cnn_tiny")).eval()
    with torch.no_grad():
        model.head.size.bias.fill_(float("nan"))
        model.head.score.bias.fill_(10.0)
    out = tmp_path_factory.mktemp("nan")
    export_onnx(model, out, "nan_size")
    return out / "nan_size.onnx"


@pytest.mark.parametrize("backend", ["onnxruntime", "torch"])
def test_non_finite_outputs_fail_the_frame_and_keep_the_state(nan_model: Path, backend: str) -> None:
    """A model with NaN size outputs raises ModelOutputError; box, state and later frames are unaffected."""
    tracker = Tracker(open_backend(nan_model, backend))
    frame = np.full((120, 160, 3), 90, np.uint8)
    tracker.init(frame, (40, 30, 20, 20))
    box = tracker.box
    for _ in range(3):
        with pytest.raises(ModelOutputError, match="'size' output is not finite"):
            tracker.update(frame)
    assert tracker.box == box and tracker.state == TrackState.TRACKING and box.is_finite()


def test_card_loads_reject_loops_and_keep_shipped_cards_valid() -> None:
    """Every shipped card passes the schema (the limits are not tighter than real cards)."""
    cards = sorted(default_models_dir().glob("*.json"))
    assert cards
    for path in cards:
        card = ModelCard.load(path)
        assert card.onnx_sha256 and os.path.getsize(path) < MAX_CARD_BYTES
