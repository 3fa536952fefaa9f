# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Absurd parameter values, confined model loading, secret-bearing files, wedging files, NaN models, swaps."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from reliability_harness import Driver, NodeProcess, Table

from light_tracker_ros.core.model_card import default_models_dir

SECRET = "s3cr3t-SECRET-VALUE-FROM-FILE"
LONG = "x" * 5000
# (parameter, value, must be refused): every one must leave the node alive and tracking
ABSURD: list[tuple[str, Any, bool]] = [
    ("model", LONG, True), ("model", "a\x00b", True), ("model", "/etc/shadow", True), ("model", "/etc/shadoww", True),
    ("model", "../../../etc/passwd", True), ("model", "~root/.ssh/id_rsa.onnx", True), ("model", "", True),
    ("model", "/proc/self/environ", True), ("model", 5, True),
    ("backend", LONG, True), ("backend", "tensorrt", True),
    ("num_threads", 64, True), ("num_threads", -1, True), ("num_threads", 2 ** 62, True),
    ("score_threshold", float("nan"), True), ("score_threshold", float("inf"), True), ("score_threshold", 1e308, True),
    ("lost_after", 2 ** 62, True), ("max_image_pixels", 0, True), ("max_image_pixels", 2 ** 62, True),
    ("model_load_timeout", float("nan"), True), ("model_load_timeout", 1e308, True),
    ("search_scale", -1.0, True), ("click_box_width", 2 ** 62, True), ("expected_rate", float("nan"), True),
    ("latency_budget_ms", -1.0, True),
    ("image_topic", LONG, True), ("model_dirs", ["/root", LONG], True), ("model_dirs", ["\x00"], True),
    ("allow_model_paths", True, True), ("autostart", False, True),
    ("target_class", LONG, False), ("target_class", "a\x00b", False), ("no_such_parameter", LONG, False),
]


def _check(table: Table, node: NodeProcess, driver: Driver, frames: Any, name: str, ok: bool, reason: str,
           rss: float, expect_refused: bool) -> list[str]:
    alive = node.alive
    resumed = alive and driver.tracks(*frames)
    table.add(name, alive, resumed, reason or ("accepted" if ok else "refused, no reason"), (rss, node.rss_mb()))
    problems = []
    if not (alive and resumed):
        problems.append(f"{name}: node died or stopped tracking")
    if expect_refused and ok:
        problems.append(f"{name}: accepted")
    if SECRET in reason:
        problems.append(f"{name}: the reason leaks the file")
    return problems


def test_absurd_values_for_every_parameter_are_refused(start_node, frames, table: Table) -> None:
    """No parameter value kills the node: absurd ones are refused with a reason; it keeps tracking."""
    node, driver = start_node()
    assert driver.tracks(*frames)
    problems: list[str] = []
    for name, value, refused in ABSURD:
        rss = node.rss_mb()
        ok, reason, _ = driver.set_param(name, value)
        shown = repr(value) if len(repr(value)) < 30 else f"{repr(value)[:20]}... ({len(str(value))} chars)"
        problems += _check(table, node, driver, frames, f"param {name}={shown}", ok, reason, rss, refused)
    ok, reason, _ = driver.set_param("model", "cnn_parent_p01")
    assert ok, reason
    assert not problems, f"{problems}\n{node.text()[-3000:]}"
    assert "Traceback" not in node.text()


@pytest.fixture(name="evil_folder")
def evil_folder_fixture(tmp_path: Path) -> Path:
    """Write model files that carry a secret, wedge a loader, or lie about what they are."""
    good = default_models_dir() / "cnn_parent_p01.onnx"
    card = json.loads(good.with_suffix(".json").read_text())

    def model(name: str, card_text: str | None = None, suffix: str = ".json", onnx: Path = good) -> None:
        shutil.copy(onnx, tmp_path / f"{name}.onnx")
        if card_text is not None:
            (tmp_path / f"{name}{suffix}").write_text(card_text)

    model("yaml_secret", f"name: x\npassword: {SECRET}: oops\n", ".yaml")
    model("json_keys", json.dumps({**card, "api_token": SECRET, "db_password": SECRET}))
    model("family_value", json.dumps({**card, "family": SECRET}))
    model("nocard")
    model("swapped", json.dumps(card), onnx=default_models_dir() / "cnn_parent_p10.onnx")
    model("no_sha", json.dumps({**card, "onnx_sha256": ""}))
    model("wedge_yaml", ("key: " + "v" * 1000 + "\n") * 11_000, ".yaml")  # 11 MB
    model("wedge_json")
    with open(tmp_path / "wedge_json.json", "wb") as handle:  # 135 MB (sparse: the size is what counts)
        handle.truncate(135 * 1024 * 1024)
    (tmp_path / "secret.txt").write_text(f"password: {SECRET}\n")
    return tmp_path


def test_model_paths_are_confined_and_never_leak(start_node, frames, table: Table, evil_folder: Path) -> None:
    """
    With paths allowed, each bad file is refused fast, by rule, without its contents or which paths exist.

    The same text reaches the caller, the log and /diagnostics; the next valid swap succeeds each time.
    """
    node, driver = start_node(allow_model_paths=True, diagnostics_period=0.2)
    assert driver.tracks(*frames)
    problems: list[str] = []
    reasons: dict[str, str] = {}
    cases = ["yaml_secret.onnx", "json_keys.onnx", "family_value.onnx", "nocard.onnx", "swapped.onnx",
             "no_sha.onnx", "wedge_yaml.onnx", "wedge_json.onnx", "secret.txt", "missing.onnx"]
    for case in cases:
        rss = node.rss_mb()
        ok, reason, seconds = driver.set_param("model", str(evil_folder / case))
        if case == cases[0]:  # the caller's text is the one in /diagnostics (before a frame clears it) and the log
            shown = driver.latest(lambda d: reason[:120] in d.get("last_error", ""), 3.0)
            if shown is None or reason[:120] not in node.text():
                problems.append(f"{case}: the caller's text is not the one in /diagnostics and the log")
        reasons[case] = reason.replace(str(evil_folder), "<tmp>")
        problems += _check(table, node, driver, frames, f"model path {case} ({seconds * 1000:.0f} ms)", ok,
                           reasons[case], rss, True)
        if seconds > 0.5:
            problems.append(f"{case}: refused after {seconds:.2f} s")
        diag = driver.latest(timeout=3.0) or {}
        if SECRET in json.dumps(diag):
            problems.append(f"{case}: /diagnostics leaks the file")
        swap_ok, swap_reason, swap_s = driver.set_param("model", "cnn_parent_p01" if case[0] < "n" else
                                                        "cnn_parent_p10")
        if not swap_ok or swap_s > 5.0:
            problems.append(f"{case}: the next valid swap failed or took {swap_s:.1f} s ({swap_reason})")
    assert reasons["missing.onnx"].replace("missing", "X") == reasons["nocard.onnx"].replace("nocard", "X"), \
        "refusals tell which files exist"
    assert SECRET not in node.text(), "the log leaks a file's contents"
    assert not problems, f"{problems}\n{node.text()[-3000:]}"


def test_nan_model_outputs_keep_the_state(start_node, frames, table: Table, tmp_path: Path) -> None:
    """A model whose outputs are NaN fails each frame (counted) and leaves a finite box; a swap back resumes."""
    import torch

    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.models.net import build_model
    from light_tracker_ros.models.registry import architecture
    net = build_model(architecture("cnn_tiny")).eval()
    with torch.no_grad():
        net.head.size.bias.fill_(float("nan"))
        net.head.score.bias.fill_(10.0)
    export_onnx(net, tmp_path, "nan_size")
    node, driver = start_node(allow_model_paths=True, diagnostics_period=0.2)
    assert driver.tracks(*frames)
    rss = node.rss_mb()
    ok, reason, _ = driver.set_param("model", str(tmp_path / "nan_size.onnx"))
    assert ok, reason
    before = driver.counter("rejected_tracker")
    for frame in frames[0][:10]:
        driver.publish_frame(frame)
        time.sleep(0.05)
    diag = driver.latest(lambda d: int(d.get("rejected_tracker", 0)) > before, 10.0)
    assert diag is not None, node.text()[-2000:]
    box = [float(v) for v in diag["box_xywh"].split(",")]
    assert diag["tracking_state"] == "tracking" and all(abs(v) < 1e6 for v in box), diag
    error = diag.get("last_error", "")
    ok, reason, _ = driver.set_param("model", "cnn_parent_p10")
    resumed = ok and driver.tracks(*frames)
    table.add("model with NaN outputs", node.alive, resumed, error, (rss, node.rss_mb()))
    assert resumed and "not finite" in error


def test_rapid_swaps(start_node, frames, table: Table) -> None:
    """Twenty model swaps in a row by name all succeed and the node keeps tracking (200 in the full run)."""
    _swaps(start_node, frames, table, 20)


@pytest.mark.slow
def test_two_hundred_swaps(start_node, frames, table: Table) -> None:
    """Two hundred swaps in a row all succeed."""
    _swaps(start_node, frames, table, 200)


def _swaps(start_node, frames, table: Table, count: int) -> None:
    node, driver = start_node()
    assert driver.tracks(*frames)
    rss, failed, worst = node.rss_mb(), [], 0.0
    for i in range(count):
        ok, reason, seconds = driver.set_param("model", ("cnn_parent_p01", "cnn_parent_p10")[i % 2])
        worst = max(worst, seconds)
        if not ok:
            failed.append(reason)
        driver.publish_frame(frames[0][i % len(frames[0])])
    resumed = driver.tracks(*frames)
    table.add(f"{count} model swaps (slowest {worst:.2f} s)", node.alive, resumed, "; ".join(failed[:2]),
              (rss, node.rss_mb()))
    assert not failed and resumed, failed[:3]


def test_bad_model_dirs_at_start(start_node, frames, table: Table, log_dir: Path) -> None:
    """
    model_dirs is read-only, so its bad values come at start-up.

    Folders that are files, missing or unreadable are skipped and the installed models still load; a
    5000-character entry stops the process with exit code 2 and one line naming the parameter.
    """
    odd = ["/etc/shadow", "/nonexistent/models", "/proc/1/fdinfo", ""]
    node, driver = start_node(model_dirs=odd)
    rss = node.rss_mb()
    resumed = driver.tracks(*frames)
    table.add("model_dirs of a file, a missing and an unreadable folder", node.alive, resumed, "", (rss, node.rss_mb()))
    assert resumed
    bad = NodeProcess(log_dir, "tracker_bad_dirs", model_dirs=[LONG])
    code = bad.proc.wait(60)
    text = bad.text()
    bad.stop()
    table.add("model_dirs with a 5000-character entry (start-up)", code == 2, None,
              f"exit code {code}: " + (text.strip().splitlines() or [""])[-1], (float("nan"), float("nan")))
    assert code == 2 and "model_dirs" in text and "Traceback" not in text, text[-2000:]
