# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The node's model loader without DDS: abandoned loads do not block, newer requests supersede, paths confined."""
from __future__ import annotations

import threading
import time

import pytest

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import default_models_dir
from light_tracker_ros.ros.model_loader import ModelManager

SLOW = TrackerConfig(model="cnn_parent", backend="torch")  # ~1 s or more to build and fill on this machine
FAST = TrackerConfig(model="cnn_parent_p01")


def test_timed_out_load_is_abandoned_and_the_next_one_succeeds() -> None:
    """A load past its timeout is refused at the timeout; the next valid load does not wait for it."""
    manager = ModelManager()
    t0 = time.perf_counter()
    with pytest.raises(ModelFileError, match="took longer than 0.05 s .* abandoned"):
        manager.load(SLOW, None, 0.05)
    assert time.perf_counter() - t0 < 2.0  # the loader thread holds the GIL at times (importing torch)
    t1 = time.perf_counter()
    tracker = manager.load(FAST, None, 30.0)
    assert tracker.card.name == "cnn_parent_p01" and manager.current is tracker
    assert time.perf_counter() - t1 < 5.0 and manager.abandoned == 1 and manager.load_failures == 1
    manager.shutdown()


def test_newer_request_supersedes_a_pending_one() -> None:
    """While a slow load waits, a second request wakes it with 'superseded' and its own model is the one kept."""
    manager = ModelManager()
    outcome: dict[str, object] = {}

    def slow() -> None:
        try:
            manager.load(SLOW, None, 60.0)
            outcome["slow"] = "loaded"
        except ModelFileError as exc:
            outcome["slow"] = str(exc)
            outcome["slow_at"] = time.perf_counter()

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.05)
    tracker = manager.load(FAST, None, 30.0)
    thread.join(30.0)
    assert "superseded by a newer request" in str(outcome["slow"])
    assert manager.current is tracker and manager.pending is None
    time.sleep(2.5)  # the superseded load ends in the background and must not replace the newer model
    assert manager.acquire() == (tracker, None)
    manager.shutdown()


def test_paths_follow_allow_paths() -> None:
    """The manager passes allow_paths through: a path is refused unless allowed, a name always works."""
    manager = ModelManager()
    path = str(default_models_dir() / "cnn_parent_p01.onnx")
    with pytest.raises(ModelFileError, match="allow_model_paths is false"):
        manager.load(TrackerConfig(model=path), None, 10.0)
    assert manager.load(TrackerConfig(model=path), None, 10.0, allow_paths=True).card.name == "cnn_parent_p01"
    assert manager.last_error.startswith("model '") and manager.load_failures == 1
    manager.shutdown()


def test_too_many_abandoned_loads_refuse_new_requests() -> None:
    """Loads still running after their callers gave up are capped; then requests are refused until they end."""
    from light_tracker_ros.ros import model_loader
    manager = ModelManager()
    for _ in range(model_loader.MAX_ABANDONED):
        with pytest.raises(ModelFileError, match="abandoned"):
            manager.load(SLOW, None, 0.01)
    with pytest.raises(ModelFileError, match="abandoned loads are still running"):
        manager.load(FAST, None, 10.0)
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        try:
            manager.load(FAST, None, 10.0)
            break
        except ModelFileError:
            time.sleep(0.2)
    assert manager.current is not None and manager.current.card.name == "cnn_parent_p01"
    manager.shutdown()
