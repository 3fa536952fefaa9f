# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
A thread of its own that takes every message of the image subscription, instead of the executor.

rclpy's executors rebuild their wait set in Python on every wake-up, over every entity of the node (lifecycle
and parameter services, timers, subscriptions), then hand the message to a pool thread: several milliseconds per
frame on a busy CPU, measured as ``wakeup`` in the node's diagnostics. Here one thread waits in C (GIL
released) on the one subscription and a guard condition, takes each message serialized as soon as it is there,
and calls the subscription's callback with it, as an executor would; nothing else waits behind it and it waits
behind nothing. The subscription is created in a :class:`TakenElsewhere` callback group, so no executor takes
its messages.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.context import Context
from rclpy.guard_condition import GuardCondition
# the wait set of rclpy.wait_for_message: rclpy has no public class for it
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.subscription import Subscription

WAIT_NS = 500_000_000  # the thread looks at its stop flag at least this often


class TakenElsewhere(MutuallyExclusiveCallbackGroup):
    """
    A callback group no executor runs: a :class:`FrameTaker` takes the messages of its subscription.

    Its QoS event handlers are not run either: with rmw_fastrtps an event of a subscription shares the
    subscription's listener, so an executor waiting on the event would be woken by every message (and the
    taker's wait set would compete with it for the listener).
    """

    def can_execute(self, entity: Any) -> bool:
        """Refuse every entity."""
        return False

    def beginning_execution(self, entity: Any) -> bool:
        """Refuse every entity."""
        return False


class FrameTaker:
    """Takes the messages of one subscription (created with ``raw=True``) on a thread and calls its callback."""

    def __init__(self, context: Context, on_error: Callable[[Exception], None]) -> None:
        self._context, self._on_error = context, on_error
        self._guard = GuardCondition(None, None, context=context)
        self._wait_set = _rclpy.WaitSet(1, 1, 0, 0, 0, 0, context.handle)
        self._subscription: Subscription | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frame-taker", daemon=True)
        self._thread.start()

    def watch(self, subscription: Subscription | None) -> None:
        """Take the messages of ``subscription`` from now on (None: of none); call before destroying the old one."""
        self._subscription = subscription
        self._guard.trigger()

    def stop(self) -> None:
        """End the thread (waits for a message being handed on) and free the wait set."""
        self._stop.set()
        self._subscription = None
        try:
            self._guard.trigger()
        except Exception:  # noqa: BLE001 - context already shut down: the thread ends at its next timeout
            pass
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0 * WAIT_NS * 1e-9)
        if not self._thread.is_alive():
            self._wait_set.destroy_when_not_in_use()
            self._guard.destroy()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._wait_and_take(self._subscription)
            except Exception as exc:  # noqa: BLE001 - a destroyed subscription or a shut-down context
                if self._stop.is_set() or not self._context.ok():
                    return
                self._on_error(exc)
                time.sleep(0.05)

    def _wait_and_take(self, sub: Subscription | None) -> None:
        """Wait for a message (or the guard) and take every message there is, oldest first."""
        ws = self._wait_set
        with self._guard.handle:
            if sub is None:
                ws.clear_entities()
                ws.add_guard_condition(self._guard.handle)
                ws.wait(WAIT_NS)
                return
            with sub.handle:  # the subscription cannot be destroyed under the wait
                ws.clear_entities()
                ws.add_subscription(sub.handle)
                ws.add_guard_condition(self._guard.handle)
                ws.wait(WAIT_NS)
                if sub.handle.pointer not in ws.get_ready_entities("subscription"):
                    return
                while not self._stop.is_set() and self._subscription is sub:
                    taken = sub.handle.take_message(sub.msg_type, True)
                    if taken is None:
                        return
                    sub.callback(*taken)  # (serialized message, message info)
