# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Counters and latency windows of the tracker node, reported as a REP-107 DiagnosticStatus about once a second."""
from __future__ import annotations

import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from diagnostic_msgs.msg import DiagnosticStatus, KeyValue

from light_tracker_ros.core.types import TrackState
from light_tracker_ros.ros.stats import Window, fmt

# per-frame latencies, in milliseconds. On the way to the node: image stamp -> publisher's DDS write (publisher:
# the sender's own conversion and serialization), write -> this node's DDS reader (dds), reader -> image callback
# (wakeup: wait-set wake-up and take), image stamp -> callback (transport). In the node: callback -> worker
# thread (handoff), conversion of the message, the three tracker stages, publishing the outputs (publish),
# callback -> outputs published (in_node) and in_node minus inference (in_node_overhead). Publish time minus
# image stamp (end_to_end) and end_to_end minus inference (node_overhead: transport plus in-node overhead).
STAGES = ("publisher", "dds", "wakeup", "transport", "handoff", "convert", "preprocess", "inference", "postprocess",
          "publish", "in_node", "in_node_overhead", "end_to_end", "node_overhead")


@dataclass
class TrackingStatus:
    """What the node knows about the model and the target, for the report."""

    model: str = ""
    card: Any = None
    backend: str = ""
    pending_model: str = ""
    state: TrackState = TrackState.IDLE
    score: float = float("nan")
    box: tuple = ()
    track_id: str = ""
    enabled: bool = True
    swaps: int = 0
    load_failures: int = 0
    last_error: str = ""
    lifecycle: str = "active"
    extra: dict[str, str] = field(default_factory=dict)


class NodeStats:
    """Thread-safe frame counters, rejections by kind and latency windows of the node."""

    def __init__(self, window: int = 300) -> None:
        self._lock = threading.Lock()
        self.windows = {stage: Window(window) for stage in STAGES}
        self.processed = 0
        self.rejected: dict[str, int] = {}
        self.consecutive_failures = 0
        self.missed = 0
        self.last_input = float("-inf")  # monotonic time of the newest frame received
        self._last_sequence: dict[bytes, int] = {}
        self._history: deque[tuple[float, int, int]] = deque([(time.monotonic(), 0, 0)], maxlen=64)

    def frame_done(self, timings: dict[str, float]) -> None:
        """Record one processed frame and its stage latencies (ms; missing stages are left out)."""
        with self._lock:
            self.processed += 1
            self.consecutive_failures = 0
            for stage, value in timings.items():
                self.windows[stage].add(value)

    def count_gap(self, info: dict) -> None:
        """Count frames lost before the node (queue overflow or network) from publication sequence gaps."""
        self.last_input = time.monotonic()
        sequence, gid = info.get("publication_sequence_number"), info.get("publisher_gid")
        if not sequence or gid is None:
            return  # this middleware does not number publications
        key = bytes(gid.get("data", b"")) if isinstance(gid, dict) else bytes(gid)
        with self._lock:
            last = self._last_sequence.get(key)
            if last is not None and sequence > last + 1:
                self.missed += sequence - last - 1
            self._last_sequence[key] = sequence

    def reject(self, kind: str, failure: bool = True) -> None:
        """Count one rejected input of ``kind``; ``failure`` frames count toward the ERROR level."""
        with self._lock:
            self.rejected[kind] = self.rejected.get(kind, 0) + 1
            if failure:
                self.consecutive_failures += 1

    def rates(self, received: int, span: float = 1.0) -> tuple[float, float]:
        """
        Input and processing rates in Hz over the last ``span`` seconds or more.

        Measured against the newest earlier call at least ``span`` old, so two calls in quick succession (a
        timer catching up) still report the current rate, not zero.
        """
        now = time.monotonic()
        with self._lock:
            base = next((h for h in reversed(self._history) if now - h[0] >= span), self._history[0])
            dt = max(now - base[0], 1e-6)
            rates = ((received - base[1]) / dt, (self.processed - base[2]) / dt)
            self._history.append((now, received, self.processed))
        return rates

    def latency_values(self) -> dict[str, float]:
        """``latency_<stage>_<p50|p95|max>_ms`` for every stage."""
        with self._lock:
            out = {}
            for stage, window in self.windows.items():
                for key, value in window.summary().items():
                    out[f"latency_{stage}_{key}_ms"] = value
        return out


def build_status(name: str, stats: NodeStats, status: TrackingStatus, received: int, dropped: int,
                 expected_rate: float, max_failures: int, period: float = 1.0) -> DiagnosticStatus:
    """Build the node's DiagnosticStatus: level, one-line message and the values listed in the README."""
    input_rate, processing_rate = stats.rates(received, span=period)
    silent = time.monotonic() - stats.last_input
    level, problems = DiagnosticStatus.OK, []
    if status.card is None:
        level = DiagnosticStatus.ERROR
        problems.append(f"no model loaded ({status.last_error or 'set the model parameter'})")
    if stats.consecutive_failures >= max_failures:
        level = DiagnosticStatus.ERROR
        problems.append(f"{stats.consecutive_failures} frames failed in a row")
    if level != DiagnosticStatus.ERROR and status.lifecycle == "active":
        if silent > max(2.0 * period, 1.0):
            level = DiagnosticStatus.WARN
            problems.append("no images received" + (f" for {silent:.0f} s" if received else ""))
        elif expected_rate > 0 and processing_rate < expected_rate:
            level = DiagnosticStatus.WARN
            problems.append(f"processing rate {processing_rate:.1f} Hz below expected {expected_rate:.1f} Hz")
        if status.state == TrackState.LOST:
            level, problems = DiagnosticStatus.WARN, problems + ["target lost"]
    summary = {"active": status.state.value, "inactive": "paused"}.get(status.lifecycle, status.lifecycle)
    card = status.card
    values: dict[str, Any] = {
        "model": status.model, "model_family": card.family if card else "", "model_variant": card.variant if card
        else "", "model_budget": card.budget if card and card.budget is not None else "none",
        "backend": status.backend, "pending_model": status.pending_model or "none",
        "input_rate_hz": input_rate, "processing_rate_hz": processing_rate,
        "frames_received": received, "frames_processed": stats.processed, "frames_dropped": dropped,
        "frames_missed": stats.missed,
        "frames_rejected": sum(stats.rejected.values()), "consecutive_failures": stats.consecutive_failures,
        "tracking_state": status.state.value, "enabled": status.enabled, "score": status.score,
        "box_xywh": ",".join(f"{v:.1f}" for v in status.box) if status.box else "none",
        "track_id": status.track_id or "none", "model_swaps": status.swaps, "model_load_failures":
        status.load_failures, "last_error": status.last_error or "none",
        "torch_imported": "torch" in sys.modules,
    }
    values.update({f"rejected_{kind}": count for kind, count in sorted(stats.rejected.items())})
    values.update(stats.latency_values())
    values.update(status.extra)
    message = "; ".join([summary] + problems)
    return DiagnosticStatus(level=level, name=name, message=message, hardware_id=status.model,
                            values=[KeyValue(key=k, value=fmt(v)) for k, v in values.items()])


def status_values(status: DiagnosticStatus) -> dict[str, str]:
    """Return the values of a DiagnosticStatus as a dict (for monitors and tests)."""
    return {kv.key: kv.value for kv in status.values}
