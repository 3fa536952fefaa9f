# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``light-tracker``: every stage listed, every ``--help`` works, one exit-code rule, one shared parser module."""
from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path

import pytest

from light_tracker_ros.cli import common
from light_tracker_ros.cli.main import COMMANDS, available_commands, load, main

ROOT = Path(__file__).resolve().parents[3]
CLI = ROOT / "light_tracker_ros" / "cli"
STAGES = ["data", "pairs", "validation", "heldout", "train", "select", "export", "half", "evaluate", "prune",
          "study", "models", "benchmark", "benchmark-node", "sample-clip", "demo"]
NAMES = [name for name, _, _ in available_commands()]
TRAIN_CONFIG = str(ROOT / "config" / "train" / "cnn.yaml")


def installed_tool() -> Path:
    """Return the ``light-tracker`` console script of this environment (pip install --no-deps --force-reinstall .)."""
    path = Path(sys.executable).parent / common.PROG
    if not path.is_file():
        pytest.skip(f"{path} is not installed")
    return path


def test_help_lists_every_stage(capsys: pytest.CaptureFixture) -> None:
    """``light-tracker --help`` names every stage, and ``import`` once its module exists."""
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    listed = capsys.readouterr().out
    for name in STAGES + (["import"] if "import" in NAMES else []):
        assert f"\n    {name} " in listed or f"\n    {name}\n" in listed, name
    assert set(STAGES) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_subcommand_help_in_process(name: str, capsys: pytest.CaptureFixture) -> None:
    """``light-tracker NAME --help`` prints the command's own usage and exits 0."""
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: {common.PROG} {name} ")


def test_help_of_the_installed_console_script() -> None:
    """The installed ``light-tracker`` answers ``--help`` and every subcommand's ``--help`` with exit code 0."""
    tool = installed_tool()
    result = subprocess.run([str(tool), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    missing = [name for name in NAMES if f"    {name}" not in result.stdout]
    assert not missing, f"{tool} lacks {missing}: stale install, run pip install --no-deps --force-reinstall ."
    for name in NAMES:
        result = subprocess.run([str(tool), name, "--help"], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
        assert result.stdout.startswith(f"usage: {common.PROG} {name} "), name


def test_every_module_follows_the_convention() -> None:
    """Each registered module has add_parser/run, and the parser it adds carries the registered name."""
    for name, module, _ in available_commands():
        loaded = load(module)
        assert callable(loaded.run), module
        subparsers = argparse.ArgumentParser(prog=common.PROG).add_subparsers()
        assert loaded.add_parser(subparsers).prog == f"{common.PROG} {name}", module
    assert len({name for name, _, _ in COMMANDS}) == len(COMMANDS)


def test_cli_modules_import_only_the_shared_module() -> None:
    """No cli module imports another command's module (module- or function-level): only cli.common."""
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            inside = [n for n in names if n.startswith("light_tracker_ros.cli.")]
            assert all(n == "light_tracker_ros.cli.common" for n in inside), f"{path.name}: {inside}"


def test_unknown_config_key_in_set_is_exit_2_naming_the_key(capsys: pytest.CaptureFixture) -> None:
    """``--set no_such_key=1``: exit code 2 and one line on stderr naming the command and the key."""
    assert main(["train", "--config", TRAIN_CONFIG, "--set", "no_such_key=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("light-tracker train: error:") and "'no_such_key'" in err[0]


def test_bad_set_values_are_exit_2(capsys: pytest.CaptureFixture) -> None:
    """No ``=``, or a value out of range, is refused the same way, before anything runs."""
    assert main(["train", "--config", TRAIN_CONFIG, "--set", "lr"]) == 2
    assert "--set expects KEY=VALUE, got 'lr'" in capsys.readouterr().err
    assert main(["train", "--config", TRAIN_CONFIG, "--set", "batch_size=0"]) == 2
    assert "'batch_size' must be >= 1" in capsys.readouterr().err
    assert main(["evaluate", "--peers", "kcf", "--set", "no_such_setting=2"]) == 2
    assert "'no_such_setting'" in capsys.readouterr().err


def test_installed_console_script_exit_code_for_a_bad_set() -> None:
    """The real process exits with 2 and prints one line (no traceback)."""
    result = subprocess.run([str(installed_tool()), "train", "--config", TRAIN_CONFIG, "--set", "no_such_key=1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "'no_such_key'" in result.stderr


def test_usage_errors_and_interrupts_have_their_codes(capsys: pytest.CaptureFixture) -> None:
    """Usage errors (argparse) exit 2; Ctrl-C inside a command gives 130 with one line; success 0."""
    with pytest.raises(SystemExit) as exit_:
        main(["no-such-stage"])
    assert exit_.value.code == 2
    assert "invalid choice: 'no-such-stage'" in capsys.readouterr().err

    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    assert common.execute(interrupted, argparse.Namespace(command="train")) == 130
    assert capsys.readouterr().err == "light-tracker train: interrupted\n"
    assert main(["models", str(ROOT / "models")]) == 0
    assert "| `cnn_parent` | cnn | parent |" in capsys.readouterr().out


def test_overrides_are_read_as_yaml() -> None:
    """``--set`` values are YAML scalars and lists; a key may not be empty."""
    assert common.parse_overrides(["a=1", "b=x", "c=[1, 2]", "d=", "e=true"]) == {
        "a": 1, "b": "x", "c": [1, 2], "d": None, "e": True}
    with pytest.raises(common.ConfigError, match="KEY=VALUE"):
        common.parse_overrides(["=3"])


def test_backend_choices_come_from_the_core(capsys: pytest.CaptureFixture) -> None:
    """``--backend`` offers exactly core.config.BACKENDS."""
    from light_tracker_ros.core.config import BACKENDS
    with pytest.raises(SystemExit):
        main(["evaluate", "--backend", "nope"])
    assert f"choose from {', '.join(repr(b) for b in BACKENDS)}" in capsys.readouterr().err
