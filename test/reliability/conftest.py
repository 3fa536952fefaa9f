# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Fixtures of the reliability suite; cases marked ``slow`` run only with ``RELIABILITY_FULL=1``.

``bash scripts/reliability.sh`` runs the full suite; ``pytest test`` runs the fast subset. Either prints the
table of cases (case, survived, tracking resumed, RSS before/after, error text) at the end.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest
from reliability_harness import Driver, NodeProcess, Table
from scenes import NODE

TABLE = Table()
FULL = os.environ.get("RELIABILITY_FULL", "") not in ("", "0")


def pytest_configure(config: pytest.Config) -> None:
    """Register the suite's marker."""
    config.addinivalue_line("markers", "slow: reliability case of the full run only (RELIABILITY_FULL=1)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the slow cases unless RELIABILITY_FULL is set."""
    if FULL:
        return
    skip = pytest.mark.skip(reason="slow reliability case: run with RELIABILITY_FULL=1 (scripts/reliability.sh)")
    for item in items:
        if "slow" in item.keywords and "reliability" in str(item.fspath):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the table of every case that ran."""
    if TABLE.rows:
        terminalreporter.section(f"reliability table ({'full' if FULL else 'fast subset'})")
        for line in TABLE.lines():
            terminalreporter.write_line(line)


@pytest.fixture(name="table", scope="session")
def table_fixture() -> Table:
    """Provide the session's result table."""
    return TABLE


@pytest.fixture(name="frames", scope="session")
def frames_fixture() -> tuple[list[np.ndarray], tuple[int, int, int, int]]:
    """Provide 30 frames of the node scene and the integer box of the target in the first one."""
    frames, boxes = NODE.frames(30)
    x, y, w, h = boxes[0]
    return frames, (int(x), int(y), int(w), int(h))


@pytest.fixture(name="log_dir", scope="session")
def log_dir_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provide a folder for the node processes' logs."""
    return tmp_path_factory.mktemp("node_logs")


@pytest.fixture(name="start_node")
def start_node_fixture(log_dir: Path) -> Iterator[Callable[..., tuple[NodeProcess, Driver]]]:
    """Start node processes with parameters, each with a ready driver; everything is stopped afterwards."""
    started: list[tuple[NodeProcess, Driver]] = []

    def start(name: str = "tracker", **params: Any) -> tuple[NodeProcess, Driver]:
        node = NodeProcess(log_dir, name, **params)
        driver = Driver(name)
        started.append((node, driver))
        assert driver.wait_ready(), f"the node did not come up:\n{node.text()[-3000:]}"
        return node, driver

    yield start
    for node, driver in started:
        driver.close()
        node.stop()
