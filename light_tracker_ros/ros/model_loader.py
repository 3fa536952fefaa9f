# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Loads trackers beside the running one in a background thread and hands them over between frames (ROS-free)."""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ModelFileError, TrackerError
from light_tracker_ros.core.tracker import Tracker
from light_tracker_ros.runtime import ModelSpec, create_tracker


class ModelManager:
    """Owns the running :class:`Tracker` and at most one loaded replacement waiting for the next frame."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-loader")
        self._lock = threading.Lock()
        self._current: Tracker | None = None
        self._pending: Tracker | None = None
        self._generation = 0
        self.swaps = 0
        self.load_failures = 0
        self.last_error = ""

    @property
    def current(self) -> Tracker | None:
        """The tracker frames are processed with (None before the first successful load)."""
        return self._current

    @property
    def pending(self) -> Tracker | None:
        """A loaded tracker waiting to replace the current one at the next frame."""
        return self._pending

    def load(self, config: TrackerConfig, models_dir: str | None, timeout: float) -> Tracker:
        """
        Load ``config.model`` in the loader thread (frames go on meanwhile) and queue it for the next frame.

        :raises TrackerError: the model is missing, corrupt, or took longer than ``timeout`` seconds.
        """
        with self._lock:
            self._generation += 1
            generation = self._generation
        spec = ModelSpec.from_config(config, models_dir)
        future: Future = self._pool.submit(create_tracker, spec, config)
        try:
            tracker = future.result(timeout=timeout)
        except FutureTimeout:
            self._fail(f"loading model '{config.model}' took longer than {timeout:.0f} s (model_load_timeout)")
            raise ModelFileError(self.last_error) from None
        except TrackerError as exc:
            self._fail(str(exc))
            raise
        except Exception as exc:  # noqa: BLE001 - report any load failure by message, keep the running model
            self._fail(f"model '{config.model}' could not be loaded: {exc}")
            raise ModelFileError(self.last_error) from exc
        with self._lock:
            if generation != self._generation:
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

    def shutdown(self) -> None:
        """Stop the loader thread (a load under way finishes in the background)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
