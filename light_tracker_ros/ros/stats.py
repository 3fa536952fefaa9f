# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ROS-free bookkeeping for the node: the newest-frame slot, rolling latency windows and log throttling."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Generic, TypeVar

import numpy as np

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """Holds only the newest item: a put while an item waits replaces it and counts one drop."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self.received = 0
        self.dropped = 0

    def put(self, item: T) -> None:
        """Store ``item``, replacing (and counting as dropped) any item not yet taken."""
        with self._cond:
            self.received += 1
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def take(self, timeout: float) -> T | None:
        """Return the newest item, waiting up to ``timeout`` seconds; None when nothing arrived."""
        with self._cond:
            if self._item is None:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def wake(self) -> None:
        """Wake a waiting ``take`` (used at shutdown)."""
        with self._cond:
            self._cond.notify_all()


class Window:
    """The last ``size`` samples of one quantity (milliseconds), with percentiles."""

    def __init__(self, size: int = 300) -> None:
        self._values: deque[float] = deque(maxlen=size)

    def add(self, value: float) -> None:
        """Append one sample."""
        self._values.append(float(value))

    def __len__(self) -> int:
        return len(self._values)

    def summary(self) -> dict[str, float]:
        """p50, p95 and max of the window (NaN when empty)."""
        if not self._values:
            return {"p50": float("nan"), "p95": float("nan"), "max": float("nan")}
        arr = np.fromiter(self._values, np.float64, len(self._values))
        return {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)),
                "max": float(arr.max())}


class Throttle:
    """Lets one message per key through every ``period`` seconds and counts the ones held back."""

    def __init__(self, period: float = 2.0) -> None:
        self.period = period
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> int | None:
        """None when the message for ``key`` must be held back, else how many were held since the last one."""
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -1e9) < self.period:
                self._held[key] = self._held.get(key, 0) + 1
                return None
            self._last[key] = now
            return self._held.pop(key, 0)


def fmt(value: Any) -> str:
    """Format a diagnostics value: floats with 2 decimals, NaN as 'n/a'."""
    if isinstance(value, float):
        return "n/a" if value != value else f"{value:.2f}"
    return str(value)
