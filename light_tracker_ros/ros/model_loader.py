# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Loads trackers beside the running one in background threads and hands them over between frames (ROS-free).

Each request gets its own daemon thread, so a load that times out is abandoned (it finishes in the background
and is discarded) without blocking the next one, and a newer request supersedes one still waiting.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ModelFileError, TrackerError
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.runtime import ModelSpec, create_tracker

#: loads still running after their caller gave up (timed out or superseded); past this, new requests are
#: refused until one ends
MAX_ABANDONED = 3


class _Request:
    """One load: its thread fills ``tracker`` or ``error`` and sets ``done``; a newer request sets ``superseded``."""

    def __init__(self, generation: int, spec: ModelSpec, config: TrackerConfig) -> None:
        self.generation = generation
        self.spec, self.config = spec, config
        self.done = threading.Event()
        self.superseded = threading.Event()
        self.abandoned = False
        self.tracker: Tracker | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.tracker = create_tracker(self.spec, self.config)
        except BaseException as exc:  # noqa: BLE001 - reported to the waiting caller by message
            self.error = exc
        finally:
            self.done.set()
            self.superseded.set()  # wakes the waiter


class ModelManager:
    """Owns the running :class:`Tracker` and at most one loaded replacement waiting for the next frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Tracker | None = None
        self._pending: Tracker | None = None
        self._generation = 0
        self._waiting: _Request | None = None
        self._running: list[_Request] = []
        self.swaps = 0
        self.load_failures = 0
        self.abandoned = 0
        self.last_error = ""

    @property
    def current(self) -> Tracker | None:
        """The tracker frames are processed with (None before the first successful load)."""
        return self._current

    @property
    def pending(self) -> Tracker | None:
        """A loaded tracker waiting to replace the current one at the next frame."""
        return self._pending

    def load(self, config: TrackerConfig, model_dirs: Sequence[str] | str | None, timeout: float,
             allow_paths: bool = False) -> Tracker:
        """
        Load ``config.model`` in its own thread (frames go on meanwhile) and queue it for the next frame.

        ``model_dirs`` are searched for a model name; a path is accepted only when ``allow_paths``.

        :raises TrackerError: the model is missing, corrupt, refused, took longer than ``timeout`` seconds
            (the load is abandoned), or a newer request superseded this one.
        """
        if isinstance(model_dirs, str):
            model_dirs = (model_dirs,) if model_dirs else ()
        spec = ModelSpec.from_config(config, tuple(model_dirs or ()), allow_paths)
        with self._lock:
            self._running = [r for r in self._running if not r.done.is_set()]
            if sum(r.abandoned for r in self._running) >= MAX_ABANDONED:
                message = (f"model '{config.model}' refused: {MAX_ABANDONED} abandoned loads are still running; "
                           "try again when they end")
                self.load_failures += 1
                self.last_error = message
                raise ModelFileError(message)
            self._generation += 1
            request = _Request(self._generation, spec, config)
            if self._waiting is not None:
                self._waiting.superseded.set()
            self._waiting = request
            self._running.append(request)
        threading.Thread(target=request.run, name=f"model-loader-{request.generation}", daemon=True).start()
        request.superseded.wait(timeout)
        with self._lock:
            if self._waiting is request:
                self._waiting = None
            finished = request.done.is_set()
            superseded = request.generation != self._generation
            if not finished:
                request.abandoned = True
                self.abandoned += 1
        if not finished:
            if superseded:
                raise ModelFileError(f"model '{config.model}' was superseded by a newer request while loading")
            self._fail(f"loading model '{config.model}' took longer than {timeout:g} s (model_load_timeout); "
                       "the load was abandoned")
            raise ModelFileError(self.last_error)
        if request.error is not None:
            exc = request.error
            if isinstance(exc, TrackerError):
                self._fail(str(exc))
                raise exc
            # not one of ours: its text may quote a file, so name the type only
            self._fail(f"model '{config.model}' could not be loaded ({type(exc).__name__})")
            raise ModelFileError(self.last_error) from None
        tracker = request.tracker
        assert tracker is not None
        with self._lock:
            if request.generation != self._generation:
                raise ModelFileError(f"model '{config.model}' was superseded by a newer request while loading")
            if self._current is None:
                self._current = tracker
            else:
                self._pending = tracker
        return tracker

    def _fail(self, message: str) -> None:
        with self._lock:
            self.load_failures += 1
            self.last_error = message

    def set_config(self, config: TrackerConfig) -> None:
        """Apply settings that need no reload (threshold, search scale, ...) to the running and waiting trackers."""
        with self._lock:
            for tracker in (self._current, self._pending):
                if tracker is not None:
                    tracker.config = config

    def acquire(self) -> tuple[Tracker | None, Tracker | None]:
        """Swap in a waiting tracker (call before each frame); return (tracker to use, replaced one or None)."""
        with self._lock:
            if self._pending is None:
                return self._current, None
            old, self._current, self._pending = self._current, self._pending, None
            self.swaps += 1
            return self._current, old

    def clear(self) -> None:
        """Forget the running and the waiting tracker (lifecycle cleanup); a later load starts afresh."""
        with self._lock:
            self._current = self._pending = None

    def shutdown(self) -> None:
        """Give up on loads under way (daemon threads: they end with the process) and wake any waiter."""
        with self._lock:
            self._generation += 1
            if self._waiting is not None:
                self._waiting.superseded.set()
