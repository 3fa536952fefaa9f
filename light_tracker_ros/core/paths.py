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


def portable_path(path: str | Path) -> str:
    """
    ``path`` as cards and reports record it, without this machine's absolute prefix.

    Under the data cache ``$LIGHT_TRACKER_DATA/<relative>``; under the working directory (the checkout, when the
    pipeline runs) relative to it; under the home folder ``~/<relative>``; anything else (a relative path, a
    model name, ``variant:NAME``) as given.
    """
    text = str(path)
    candidate = Path(text).expanduser()
    if not candidate.is_absolute():
        return text
    candidate = Path(os.path.normpath(candidate))
    for root, label in ((data_dir(), "$LIGHT_TRACKER_DATA"), (Path.cwd(), ""), (Path.home(), "~")):
        try:
            relative = candidate.relative_to(Path(os.path.normpath(root.absolute())))
        except ValueError:
            continue
        if not label:
            return str(relative)
        return label if relative == Path(".") else f"{label}/{relative}"
    return text
