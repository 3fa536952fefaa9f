# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The runtime factory: one :class:`ModelSpec` (model, backend, threads, model folders) becomes a tracker.

The node, the demo and the evaluation open models only through here, so a model name means the same thing
everywhere. It sits above core, models and backends and is imported by evaluation, pruning, ros and cli.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from light_tracker_ros.backends import open_backend
from light_tracker_ros.backends.base import Backend
from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.model_card import resolve_model
from light_tracker_ros.core.tracker import Tracker


@dataclass(frozen=True)
class ModelSpec:
    """Which model to run and how: a name (or, where allowed, a ``.onnx`` path), backend, threads, folders."""

    model: str
    backend: str = "onnxruntime"
    num_threads: int = 1
    model_dirs: tuple[str, ...] = ()  # searched in order for a name; empty = the installed models/ folder
    allow_paths: bool = True  # offline tools take paths; the node passes its read-only allow_model_paths

    @classmethod
    def from_config(cls, config: TrackerConfig, model_dirs: tuple[str, ...] | list[str] | str | None = None,
                    allow_paths: bool = True) -> "ModelSpec":
        """Build the spec of a tracker config's model, backend and threads, looked up in ``model_dirs``."""
        if isinstance(model_dirs, str):
            model_dirs = (model_dirs,) if model_dirs else ()
        return cls(config.model, config.backend, config.num_threads, tuple(model_dirs or ()), allow_paths)

    def resolve(self) -> Path:
        """Return the ``.onnx`` file this spec names; raise ModelFileError when there is none."""
        return resolve_model(self.model, self.model_dirs, self.allow_paths)


def open_model(spec: ModelSpec) -> Backend:
    """Open the spec's model with its backend (raises TrackerError with a reason on failure)."""
    return open_backend(spec.resolve(), spec.backend, spec.num_threads)


def create_tracker(spec: ModelSpec, config: TrackerConfig | None = None) -> Tracker:
    """Open the spec's model and return a tracker running it with ``config``'s decoding settings."""
    return Tracker(open_model(spec), config)
