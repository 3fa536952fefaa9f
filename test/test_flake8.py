# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ament_flake8 when installed (as ros2 pkg create adds it), else plain flake8 with the same settings."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.linter
def test_flake8() -> None:
    """No flake8 findings in the package, launch files and tests."""
    try:
        from ament_flake8.main import main_with_errors
    except ImportError:
        result = subprocess.run([sys.executable, "-m", "flake8", "--config", str(ROOT / "setup.cfg"),
                                 "light_tracker_ros", "launch", "test", "setup.py"],
                                cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"flake8 findings:\n{result.stdout}{result.stderr}"
    else:
        rc, errors = main_with_errors(argv=["--config", str(ROOT / "setup.cfg"), str(ROOT / "light_tracker_ros"),
                                            str(ROOT / "launch"), str(ROOT / "test"), str(ROOT / "setup.py")])
        assert rc == 0, f"Found {len(errors)} code style errors / warnings:\n" + "\n".join(errors)
