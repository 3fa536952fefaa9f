# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Imports point one way through the package's layers.

Core is at the bottom, models and backends above it, the runtime factory above both, the pipeline (training,
evaluation, pruning) above that, and the ROS layer and the command line on top.

Every ``import``/``from ... import`` in every module (at module level or inside a function) is read with ``ast``
and checked against :data:`ALLOWED`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "light_tracker_ros"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

#: layer -> the other layers it may import (a layer may always import itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "models": {"core"},
    "backends": {"core", "models"},
    "data": {"core"},
    "runtime": {"core", "models", "backends"},
    "training": {"core", "models", "data"},
    "evaluation": {"core", "models", "backends", "runtime", "data"},
    "pruning": {"core", "models", "backends", "runtime", "data", "training", "evaluation"},
    "ros": {"core", "models", "backends", "runtime", "data", "evaluation"},
    "cli": {"core", "models", "backends", "runtime", "data", "training", "evaluation", "pruning", "ros"},
}
#: modules of ``cli`` that other cli modules may import (the shared parser and the tool's entry point)
CLI_SHARED = {"common", "main", "parser", "__init__"}


def layer_of(module: str) -> str | None:
    """``light_tracker_ros.models.net`` -> ``models``; ``light_tracker_ros.runtime`` -> ``runtime``."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path, root: Path = ROOT) -> str:
    """Dotted module name of a source file under the package folder ``root``."""
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in ``path``, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    own = module_name(path, root).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # ``from light_tracker_ros import runtime`` imports a layer by name
            if module == PACKAGE:
                found.extend((node.lineno, f"{PACKAGE}.{alias.name}") for alias in node.names)
    return found


SOURCES = sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_layer_is_known() -> None:
    """Each sub-package and top-level module of the package has a place in the layer table."""
    layers = {p.relative_to(ROOT).parts[0].removesuffix(".py") for p in SOURCES} - {"__init__"}
    assert layers <= set(ALLOWED), f"add {sorted(layers - set(ALLOWED))} to ALLOWED in {__file__}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    """No module imports a layer above its own (nor a cli module another cli module, but the shared ones)."""
    own_module = module_name(path)
    own = layer_of(own_module)
    if own is None:  # the package's own __init__
        return
    bad = []
    for line, module in imported_modules(path):
        target = layer_of(module)
        if target is None or target == own:
            if own == "cli" and target == "cli" and module.count(".") >= 2:
                name = module.split(".")[2]
                if name not in CLI_SHARED and module != own_module:
                    bad.append(f"line {line}: {module} (cli modules share code through {sorted(CLI_SHARED)})")
            continue
        if target not in ALLOWED[own]:
            bad.append(f"line {line}: {module} ({own} may import {sorted(ALLOWED[own]) or 'nothing of the package'})")
    assert not bad, f"{path.relative_to(ROOT.parent)} imports upwards:\n" + "\n".join(bad)


def test_the_checker_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The parser finds imports inside functions and resolves relative ones (so the test above can fail)."""
    package = tmp_path / PACKAGE
    (package / "core").mkdir(parents=True)
    source = package / "core" / "mod.py"
    source.write_text("def f():\n    from light_tracker_ros.ros import tracker_node\n    from ..models import net\n")
    modules = [m for _, m in imported_modules(source, package)]
    assert modules == ["light_tracker_ros.ros", "light_tracker_ros.models"]
    assert [layer_of(m) for m in modules] == ["ros", "models"]
    assert not {"ros", "models"} & ALLOWED["core"]
