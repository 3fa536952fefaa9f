# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The node's ROS-free bookkeeping: newest-frame slot, log throttle, windowed rates, QoS matching."""
from __future__ import annotations

import threading
import time

from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.topic_endpoint_info import TopicEndpointInfo

from light_tracker_ros.ros.diagnostics import NodeStats
from light_tracker_ros.ros.qos import matched_reliability
from light_tracker_ros.ros.stats import LatestSlot, Throttle, Window


def test_slot_keeps_the_newest_and_counts_drops() -> None:
    """Items put while one waits replace it and count as dropped; take returns the newest or None."""
    slot: LatestSlot[int] = LatestSlot()
    assert slot.take(timeout=0.0) is None
    for i in range(5):
        slot.put(i)
    assert slot.take(timeout=0.0) == 4 and (slot.received, slot.dropped) == (5, 4)
    slot.put(5)
    assert slot.take(timeout=0.0) == 5 and slot.dropped == 4


def test_slot_wakes_a_waiting_taker() -> None:
    """A put from another thread ends a blocking take at once."""
    slot: LatestSlot[str] = LatestSlot()
    threading.Timer(0.05, lambda: slot.put("frame")).start()
    start = time.monotonic()
    assert slot.take(timeout=5.0) == "frame" and time.monotonic() - start < 2.0


def test_throttle_lets_one_through_per_period_and_counts_the_rest() -> None:
    """Within a period a key is held back (counted); after it, the count comes with the next message."""
    throttle = Throttle(period=0.2)
    assert throttle.check("a") == 0 and throttle.check("a") is None and throttle.check("a") is None
    assert throttle.check("b") == 0, "keys are independent"
    time.sleep(0.25)
    assert throttle.check("a") == 2


def test_window_percentiles() -> None:
    """p50/p95/max of the kept samples; only the last ``size`` are kept; NaN when empty."""
    window = Window(size=100)
    assert window.summary()["p50"] != window.summary()["p50"]
    for v in range(1000):
        window.add(float(v))
    summary = window.summary()
    assert len(window) == 100 and summary["max"] == 999.0 and 949.0 <= summary["p50"] <= 950.0


def test_rates_stay_true_when_asked_twice_in_a_row() -> None:
    """A second report right after the first (a timer catching up) still shows the current rates, not zero."""
    stats = NodeStats()
    stats._history[0] = (time.monotonic() - 2.0, 0, 0)
    for _ in range(40):
        stats.frame_done({})
    first = stats.rates(received=40, span=1.0)
    second = stats.rates(received=40, span=1.0)
    for rates in (first, second):
        assert 15.0 < rates[0] < 25.0 and 15.0 < rates[1] < 25.0, (first, second)


def test_frames_missed_in_transport_are_counted_from_sequence_gaps() -> None:
    """Gaps in a publisher's sequence numbers count as missed; another publisher has its own sequence."""
    stats = NodeStats()
    for seq in (1, 2, 5, 6):
        stats.count_gap({"publication_sequence_number": seq, "publisher_gid": {"data": b"A"}})
    stats.count_gap({"publication_sequence_number": 9, "publisher_gid": {"data": b"B"}})
    assert stats.missed == 2 and stats.last_input > 0


def _pub(reliability: ReliabilityPolicy) -> TopicEndpointInfo:
    return TopicEndpointInfo(qos_profile=QoSProfile(depth=1, reliability=reliability))


def test_image_reliability_matches_the_publishers() -> None:
    """Reliable only when every publisher is; best effort when none is known or one is best effort."""
    reliable, best = ReliabilityPolicy.RELIABLE, ReliabilityPolicy.BEST_EFFORT
    assert matched_reliability([]) == best
    assert matched_reliability([_pub(reliable), _pub(reliable)]) == reliable
    assert matched_reliability([_pub(reliable), _pub(best)]) == best
