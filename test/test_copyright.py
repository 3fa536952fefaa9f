# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Every Python source file carries the copyright and licence header (the ament_copyright check)."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("# Copyright 2026 light_tracker_ros contributors", "# SPDX-License-Identifier: Apache-2.0")


@pytest.mark.linter
def test_copyright() -> None:
    """The first two lines of each .py file are the header."""
    files = [p for d in ("light_tracker_ros", "launch", "test") for p in (ROOT / d).rglob("*.py")]
    files.append(ROOT / "setup.py")
    missing = [str(p.relative_to(ROOT)) for p in files
               if tuple(p.read_text().splitlines()[:2]) != HEADER]
    assert not missing, "files without the copyright header:\n" + "\n".join(missing)
