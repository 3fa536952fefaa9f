# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Every console script declared in setup.py resolves to a callable, and the core never imports rclpy."""
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = re.findall(r'"(\w+) = ([\w.]+):(\w+)"', (ROOT / "setup.py").read_text())


def test_setup_declares_the_scripts() -> None:
    """The node, the sample camera and the pipeline commands are all declared."""
    names = {name for name, _, _ in SCRIPTS}
    assert {"tracker_node", "sample_camera", "demo", "train_tracker", "evaluate_tracker", "prune_tracker",
            "compression_study", "export_tracker", "select_checkpoint", "build_pairs", "fetch_data"} <= names


@pytest.mark.parametrize("name,module,function", SCRIPTS)
def test_entry_point_resolves(name: str, module: str, function: str) -> None:
    """``module:function`` imports and is callable."""
    assert callable(getattr(importlib.import_module(module), function)), name


def test_core_imports_without_rclpy_or_torch() -> None:
    """The ROS-free core, the ONNX backend, evaluation and CLIs for them import neither rclpy nor torch."""
    code = ("import sys; import light_tracker_ros.core.tracker, light_tracker_ros.backends.onnx_backend, "
            "light_tracker_ros.evaluation.runner, light_tracker_ros.cli.evaluate; "
            "bad = [m for m in ('rclpy', 'torch') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
