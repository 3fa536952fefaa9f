# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Where cached data lives: ``$LIGHT_TRACKER_DATA`` or ``~/.cache/light_tracker_ros`` (never inside git)."""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Root of the data cache (raw packages, pair shards, validation sequences, checkpoints)."""
    return Path(os.environ.get("LIGHT_TRACKER_DATA", Path.home() / ".cache" / "light_tracker_ros")).expanduser()


def repo_root() -> Path:
    """Return the source tree holding this package (for models/ and config/ when run from a checkout)."""
    return Path(__file__).resolve().parents[2]
