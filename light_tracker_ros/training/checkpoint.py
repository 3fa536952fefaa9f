# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Checkpoint files: written atomically, read with ``torch.load(weights_only=True)``.

A checkpoint holds tensors and plain types only (dicts, lists, strings, numbers), so reading it never runs
pickled code: ``{"architecture": dict, "model": state_dict, "optimizer": state_dict, "state": dict, ...}``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from light_tracker_ros.core.errors import ModelFileError


def atomic_save(obj: Any, path: str | Path) -> None:
    """Write ``obj`` with ``torch.save`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """
    Read a checkpoint dict (tensors and plain types only) on the CPU.

    :raises ModelFileError: the file is missing, unreadable, holds other objects, or is not a dict.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelFileError(f"checkpoint {path} does not exist")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: B902 - torch raises pickle, zip and runtime errors alike
        raise ModelFileError(f"checkpoint {path} is unreadable or holds more than tensors and plain types "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from exc
    if not isinstance(ckpt, dict):
        raise ModelFileError(f"checkpoint {path} must hold a dict, got {type(ckpt).__name__}")
    return ckpt
