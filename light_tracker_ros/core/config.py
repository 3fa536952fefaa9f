# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Typed configuration: dataclasses filled from YAML files or ROS parameters, in one place.

Each field may carry ``metadata`` with ``help``, ``min``, ``max`` and ``choices``; the loader checks them,
rejects unknown keys by name, and the ROS layer turns the same metadata into parameter descriptors.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, TypeVar

import yaml

from light_tracker_ros.core.errors import ConfigError

T = TypeVar("T")
#: the inference backends (light_tracker_ros.backends); one list for configs, parsers and the factory
BACKENDS = ("onnxruntime", "torch")


def spec(default: Any, help: str, *, min: float | None = None, max: float | None = None,  # noqa: A002
         choices: tuple | None = None) -> Any:
    """Declare a config field with its help text and allowed range or choices."""
    meta = {"help": help, "min": min, "max": max, "choices": choices}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def _coerce(name: str, value: Any, kind: Any) -> Any:
    origin = typing.get_origin(kind)
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"'{name}' must be true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"'{name}' must be an integer, got {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"'{name}' must be a number, got {value!r}")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"'{name}' must be a string, got {value!r}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"'{name}' must be a list, got {value!r}")
        (item_kind, *_) = typing.get_args(kind) or (Any,)
        items = [v if item_kind is Any else _coerce(f"{name}[{i}]", v, item_kind) for i, v in enumerate(value)]
        return list(items) if origin is list else tuple(items)
    if origin is dict or kind is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"'{name}' must be a mapping, got {value!r}")
        return dict(value)
    if origin is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None:
            return None
        return _coerce(name, value, args[0])
    return value


def check_field(cls: type, name: str, value: Any) -> Any:
    """Coerce and range-check one value for field ``name`` of dataclass ``cls``; raise ConfigError."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if name not in fields:
        raise ConfigError(f"unknown key '{name}' for {cls.__name__}; known keys: {', '.join(sorted(fields))}")
    hints = typing.get_type_hints(cls)
    value = _coerce(name, value, hints[name])
    meta = fields[name].metadata
    if meta.get("choices") and value not in meta["choices"]:
        raise ConfigError(f"'{name}' must be one of {list(meta['choices'])}, got {value!r}")
    if meta.get("min") is not None and value < meta["min"]:
        raise ConfigError(f"'{name}' must be >= {meta['min']}, got {value!r}")
    if meta.get("max") is not None and value > meta["max"]:
        raise ConfigError(f"'{name}' must be <= {meta['max']}, got {value!r}")
    return value


def from_mapping(cls: type[T], values: Mapping[str, Any] | None) -> T:
    """Build dataclass ``cls`` from a mapping, rejecting unknown keys and bad values with ConfigError."""
    values = dict(values or {})
    checked = {name: check_field(cls, name, value) for name, value in values.items()}
    return cls(**checked)


def load_yaml(cls: type[T], path: str | Path, section: str | None = None) -> T:
    """
    Load dataclass ``cls`` from a YAML file, optionally from one top-level section of it.

    The file may inherit from others with ``_base_: other.yaml`` (or a list, later bases winning; see
    :func:`read_yaml_tree`).
    """
    path = Path(path)
    data = read_yaml_tree(path)
    if section is not None:
        data = data.get(section, {})
    if not isinstance(data, Mapping):
        raise ConfigError(f"config file {path} must hold a mapping, got {type(data).__name__}")
    try:
        return from_mapping(cls, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def read_yaml_tree(path: str | Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """
    Read a YAML mapping and the ``_base_`` files it inherits from (paths relative to the file's folder).

    The file's keys override its bases'; nested mappings are merged key by key, other values (lists too)
    replaced. A file that inherits from itself, directly or through its bases, is refused.

    :raises ConfigError: unreadable file or invalid YAML, not a mapping, a bad ``_base_`` value, or a cycle.
    """
    path = Path(path).expanduser().resolve()
    if path in chain:
        raise ConfigError("config inheritance cycle: " + " -> ".join(str(p) for p in (*chain, path)))
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ConfigError(f"config file {path} must hold a mapping, got {type(data).__name__}")
    data = dict(data)
    bases = data.pop("_base_", [])
    bases = [bases] if isinstance(bases, str) else bases
    if not isinstance(bases, list) or not all(isinstance(b, str) and b for b in bases):
        raise ConfigError(f"{path}: _base_ must be a file name or a list of file names, got {bases!r}")
    merged: dict[str, Any] = {}
    for base in bases:
        merged = _merged(merged, read_yaml_tree(path.parent / base, (*chain, path)))
    return _merged(merged, data)


def _merged(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            value = _merged(out[key], value)
        out[key] = value
    return out


def to_mapping(config: Any) -> dict[str, Any]:
    """Return a plain dict of a config dataclass."""
    return dataclasses.asdict(config)


@dataclass(frozen=True)
class TrackerConfig:
    """How the tracker runs a model on frames (shared by the Python API, the CLI and the ROS node)."""

    model: str = spec("vittrack", "model name in the installed models/ folder, or a path to a .onnx file")
    backend: str = spec("onnxruntime", "inference backend", choices=BACKENDS)
    num_threads: int = spec(1, "CPU threads for inference", min=1, max=64)
    score_threshold: float = spec(0.3, "peak score below which the target counts as not found", min=0.0, max=1.0)
    search_scale: float = spec(1.0, "multiplies the model's search-region size (1.0 = as trained)",
                               min=0.5, max=3.0)
    motion_prior: float = spec(0.5, "weight of the cosine-window motion prior on the score map",
                               min=0.0, max=1.0)
    size_smoothing: float = spec(0.5, "fraction of the newly predicted size taken each frame (1 = no smoothing)",
                                 min=0.0, max=1.0)
    lost_after: int = spec(5, "consecutive frames under the threshold before the target is declared lost",
                           min=1, max=1000)
