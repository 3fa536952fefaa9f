# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Under load and at the process level: control-plane latency, large frames across processes, signals, kill -9."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from reliability_harness import ENV, Table
from sensor_msgs.msg import Image


def camera(rate: float, width: int, height: int, seconds: float, reliability: str = "reliable") -> subprocess.Popen:
    """Start the camera process (camera_feed.py): it waits for the node, then publishes for ``seconds``."""
    return subprocess.Popen([sys.executable, str(Path(__file__).with_name("camera_feed.py")), str(rate), str(width),
                             str(height), str(seconds), reliability], env=ENV, stdout=subprocess.PIPE, text=True)


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) * 1e3 if values else float("inf")


def _control_plane_under_load(start_node, table: Table, rate: float, seconds: float,
                              size: tuple[int, int] = (640, 480)) -> tuple[float, float, int]:
    """Feed frames from a camera process at ``rate`` Hz; meanwhile time ~/enable and init_roi round trips."""
    node, driver = start_node(diagnostics_period=0.2)
    rss = node.rss_mb()
    feeder = camera(rate, *size, seconds + 3.0)
    warm = driver.latest(lambda d: int(d["frames_processed"]) >= 10, 20.0)  # frames flow, first inferences done
    assert warm is not None, node.text()[-2000:]
    enable, init, missed = [], [], 0
    deadline = time.monotonic() + seconds
    k = 0
    while time.monotonic() < deadline:
        ok, latency = driver.call_enable(True)
        if ok:
            enable.append(latency)
        x = 100 + (k % 50) * 4
        sent = driver.init_box(x, 120, 60, 60)
        got = driver.box_after(sent, 2.0, lambda m, x=x: abs(m.polygon.points[0].x - x) < 0.5
                               and abs(m.polygon.points[0].y - 120) < 0.5)
        if got is None:
            missed += 1
        else:
            init.append(got[0] - sent)
        k += 1
        time.sleep(0.1)
    sent, refused = (int(v) for v in feeder.communicate(timeout=30)[0].split()[-2:])
    received = driver.counter("frames_received")
    enable_p95, init_p95 = _p95(enable), _p95(init)
    table.add(f"load {rate:g} Hz {size[0]}x{size[1]}: enable p95 {enable_p95:.0f} ms, init_roi p95 {init_p95:.0f} ms",
              node.alive, len(init) > 0, f"frames sent {sent} (refused by DDS {refused}), received {received}; "
              f"{missed} of {k} inits not seen within 2 s", (rss, node.rss_mb()))
    assert node.alive
    return enable_p95, init_p95, missed


#: a control plane that waits behind frames answers in seconds (1.7-3.5 s before the fix); the 100 ms p95 target
#: is a benchmark figure, printed in the table and asserted by the full run on a machine of its own
STARVED_MS = 1000.0


def test_control_plane_answers_at_100_hz(start_node, table: Table) -> None:
    """At 100 Hz input every ~/init_roi is applied, and neither it nor ~/enable waits behind the frames."""
    enable_p95, init_p95, missed = _control_plane_under_load(start_node, table, 100.0, 5.0)
    assert enable_p95 < STARVED_MS and init_p95 < STARVED_MS and missed == 0, (enable_p95, init_p95, missed)


@pytest.mark.slow
@pytest.mark.parametrize("rate,size", [(30.0, (640, 480)), (100.0, (640, 480)), (500.0, (320, 240))])
def test_control_plane_latency_at_30_100_500_hz(start_node, table: Table, rate: float, size) -> None:
    """Control-plane latency measured at 30, 100 (640x480) and 500 Hz (320x240), 10 s each; the node survives."""
    enable_p95, init_p95, missed = _control_plane_under_load(start_node, table, rate, 10.0, size)
    if rate <= 100.0:
        assert enable_p95 < 100.0 and init_p95 < 100.0 and missed == 0, (enable_p95, init_p95, missed)


def test_large_frames_from_another_process_arrive(start_node, table: Table) -> None:
    """20 frames from this process (a camera's reliable publisher) all reach the node at 480p, 720p and 1080p."""
    node, driver = start_node(diagnostics_period=0.2)
    ready = driver.latest(lambda d: d.get("image_reliability") == "reliable", 10.0)
    lost = {}
    for height, width in ((480, 640), (720, 1280), (1080, 1920)):
        before = driver.counter("frames_received")
        frame = np.random.default_rng(1).integers(0, 255, (height, width, 3), dtype=np.uint8)
        rss = node.rss_mb()
        for _ in range(20):
            driver.publish_frame(frame)
            time.sleep(0.1)
        diag = driver.latest(lambda d, b=before: int(d["frames_received"]) >= b + 20, 30.0)  # slow on a busy machine
        got = int((diag or driver.latest() or {"frames_received": before})["frames_received"]) - before
        table.add(f"{width}x{height} x20 from another process (reliable)", node.alive, got == 20,
                  f"{got} of 20 received" + ("" if ready else "; subscription never matched reliable"),
                  (rss, node.rss_mb()))
        if got != 20:
            lost[f"{width}x{height}"] = 20 - got
    assert not lost, f"frames lost: {lost}"


@pytest.mark.slow
@pytest.mark.parametrize("height,width", [(480, 640), (720, 1280), (1080, 1920)])
def test_large_frames_best_effort_publisher(start_node, table: Table, height: int, width: int) -> None:
    """Counted only: 20 frames from a best-effort (sensor data) publisher, as some drivers publish."""
    node, driver = start_node(diagnostics_period=0.2)
    publisher = driver.node.create_publisher(Image, "/image", QoSProfile(depth=5,
                                                                         reliability=ReliabilityPolicy.BEST_EFFORT))
    driver.node.destroy_publisher(driver.image_pub)
    driver.image_pub = publisher
    time.sleep(2.0)
    before = driver.counter("frames_received")
    frame = np.random.default_rng(1).integers(0, 255, (height, width, 3), dtype=np.uint8)
    rss = node.rss_mb()
    for _ in range(20):
        driver.publish_frame(frame)
        time.sleep(0.1)
    time.sleep(1.0)
    got = driver.counter("frames_received") - before
    table.add(f"{width}x{height} x20 from another process (best effort)", node.alive, None, f"{got} of 20 received",
              (rss, node.rss_mb()))
    assert node.alive


def test_kill_9_and_restart(start_node, frames, table: Table) -> None:
    """After kill -9 a restarted node tracks again once the target is re-sent, and says the target must be re-sent."""
    node, driver = start_node()
    assert driver.tracks(*frames)
    rss = node.rss_mb()
    code = node.signal(signal.SIGKILL)
    assert code == -signal.SIGKILL
    node2, driver2 = start_node()
    resumed = driver2.tracks(*frames)
    hint = "forgets the target" in node2.text()
    table.add("kill -9 and restart", node2.alive, resumed, "" if hint else "no hint about re-sending the target",
              (rss, node2.rss_mb()))
    assert resumed and hint


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_exit_cleanly(start_node, frames, table: Table, sig: int) -> None:
    """SIGINT and SIGTERM while tracking end the process with exit code 0 and no traceback."""
    node, driver = start_node()
    assert driver.tracks(*frames)
    rss = node.rss_mb()
    code = node.signal(sig)
    text = node.text()
    table.add(f"{signal.Signals(sig).name} while tracking", code == 0, None,
              f"exit code {code}" + ("; traceback" if "Traceback" in text else ""), (rss, float("nan")))
    assert code == 0 and "Traceback" not in text, text[-2000:]
