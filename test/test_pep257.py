# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ament_pep257 when installed, else pydocstyle with the ament conventions."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the checks ament_pep257 leaves out by default
IGNORE = "D100,D101,D102,D103,D104,D105,D106,D107,D203,D212,D404"


@pytest.mark.linter
def test_pep257() -> None:
    """Docstrings follow PEP 257."""
    try:
        from ament_pep257.main import main
    except ImportError:
        result = subprocess.run([sys.executable, "-m", "pydocstyle", f"--ignore={IGNORE}", "light_tracker_ros",
                                 "launch", "test"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"pydocstyle findings:\n{result.stdout}{result.stderr}"
    else:
        assert main(argv=[str(ROOT / "light_tracker_ros"), str(ROOT / "launch"), str(ROOT / "test")]) == 0
