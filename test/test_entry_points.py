# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The package installs two ROS executables and one command-line tool, and the core never imports rclpy.

``tracker_node`` and ``sample_camera`` go where ``ros2 run`` looks (``lib/light_tracker_ros``), the
``light-tracker`` tool onto PATH (``bin``): checked for a colcon-style ``setup.py`` install into a scratch
prefix, and for the pip install in this environment (``pip install --no-deps --force-reinstall .``, plus
``scripts/setup.sh``'s links in ``lib/light_tracker_ros`` when that folder exists).
"""
import importlib
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = re.findall(r'"([\w-]+) = ([\w.]+):(\w+)"', (ROOT / "setup.py").read_text())
ROS_EXECUTABLES = {"tracker_node", "sample_camera"}
TOOL = "light-tracker"
# console scripts of earlier versions, now subcommands of light-tracker: none may stay installed
OLD_SCRIPTS = {"demo", "benchmark_node", "fetch_data", "build_pairs", "build_validation", "build_heldout",
               "train_tracker", "export_tracker", "select_checkpoint", "half_weights", "evaluate_tracker",
               "prune_tracker", "list_models", "benchmark_pruned", "compression_study"}


def test_setup_declares_the_ros_executables_and_the_tool_only() -> None:
    """setup.py: the node, the sample camera and light-tracker; its ROS_EXECUTABLES are the ros/ entry points."""
    assert {name for name, _, _ in SCRIPTS} == ROS_EXECUTABLES | {TOOL}
    assert {name for name, module, _ in SCRIPTS if module.startswith("light_tracker_ros.ros.")} == ROS_EXECUTABLES
    assert re.search(r'ROS_EXECUTABLES = \("tracker_node", "sample_camera"\)', (ROOT / "setup.py").read_text())


@pytest.mark.parametrize("name,module,function", SCRIPTS)
def test_entry_point_resolves(name: str, module: str, function: str) -> None:
    """``module:function`` imports and is callable."""
    assert callable(getattr(importlib.import_module(module), function)), name


def test_setup_py_install_puts_only_ros_executables_in_lib(tmp_path: Path) -> None:
    """A colcon-style install (setup.cfg's install_scripts): lib/light_tracker_ros has the node executables only."""
    lib = tmp_path / "lib" / "light_tracker_ros"
    result = subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(tmp_path),
                             "install_scripts", "--install-dir", str(lib)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert {p.name for p in lib.iterdir()} == ROS_EXECUTABLES
    assert {p.name for p in (tmp_path / "bin").iterdir()} == {TOOL}


def test_pip_installed_copy_has_the_same_scripts() -> None:
    """The install in this environment declares and installs the same scripts, and no script of old versions."""
    try:
        dist = metadata.distribution("light_tracker_ros")
    except metadata.PackageNotFoundError:
        pytest.skip("light_tracker_ros is not installed in this environment")
    installed = {e.name for e in dist.entry_points if e.group == "console_scripts"}
    assert installed == {name for name, _, _ in SCRIPTS}, "stale install: pip install --no-deps --force-reinstall ."
    bin_dir = Path(sys.prefix) / "bin"
    assert (bin_dir / TOOL).is_file()
    assert not {p.name for p in bin_dir.iterdir()} & OLD_SCRIPTS
    lib = Path(sys.prefix) / "lib" / "light_tracker_ros"
    if lib.is_dir():  # made by scripts/setup.sh for ros2 run / ros2 launch
        assert {p.name for p in lib.iterdir()} == ROS_EXECUTABLES


def test_core_imports_without_rclpy_or_torch() -> None:
    """The ROS-free core, the ONNX backend, evaluation and CLIs for them import neither rclpy nor torch."""
    code = ("import sys; import light_tracker_ros.core.tracker, light_tracker_ros.backends.onnx_backend, "
            "light_tracker_ros.evaluation.runner, light_tracker_ros.cli.evaluate, light_tracker_ros.cli.main; "
            "bad = [m for m in ('rclpy', 'torch') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
