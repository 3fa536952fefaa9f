# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the node tests: tiny models, a model that follows the test scene, a private rclpy Context."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Iterator

import pytest
import rclpy
from rclpy.context import Context
from ros_fixtures import RECIPE, ROOT, core_follow_iou, train_follow_model


def _cache_dir(request: pytest.FixtureRequest, prefix: str, key: str) -> Path:
    """``.pytest_cache/d/<prefix>_<key>``, removing versions of older keys."""
    folder = Path(request.config.cache.mkdir(f"{prefix}_{key}"))
    for stale in folder.parent.glob(f"{prefix}_*"):
        if stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    return folder


def _source_key(*patterns: str) -> str:
    """Hash of the package sources a cached model depends on (a change retrains or re-exports)."""
    digest = hashlib.sha256(RECIPE.encode())
    for pattern in patterns:
        for path in sorted((ROOT / "light_tracker_ros").glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(name="model_dir", scope="session")
def model_dir_fixture(request: pytest.FixtureRequest) -> Path:
    """Provide a folder with untrained tiny models cnn_tiny and vit_tiny (.onnx + card), cached between sessions."""
    folder = _cache_dir(request, "ltr_tiny_models", _source_key("models/*.py"))
    if not all((folder / f"{n}.onnx").exists() and (folder / f"{n}.json").exists() for n in ("cnn_tiny", "vit_tiny")):
        from light_tracker_ros.models.export import export_onnx
        from light_tracker_ros.models.net import build_model
        from light_tracker_ros.models.registry import architecture
        import torch
        torch.manual_seed(0)
        for name in ("cnn_tiny", "vit_tiny"):
            export_onnx(build_model(architecture(name)), folder, name)
    return folder


@pytest.fixture(name="follow_model", scope="session")
def follow_model_fixture(request: pytest.FixtureRequest) -> Path:
    """
    Provide a model shown (in the core) to follow the moving ellipse of :func:`scene_frame`.

    A trained ``models/cnn_parent`` is used when present and it passes that check; otherwise cnn_tiny is
    trained here on synthetic pairs once and cached between sessions.
    """
    installed = ROOT / "models" / "cnn_parent.onnx"
    if installed.exists() and core_follow_iou(installed) > 0.5:
        return installed
    folder = _cache_dir(request, "ltr_follow_model", _source_key("models/*.py", "data/pairs.py", "training/*.py"))
    path = folder / "cnn_follow.onnx"
    if not path.exists() or not path.with_suffix(".json").exists():
        train_follow_model(folder, "cnn_follow")
    iou = core_follow_iou(path)
    assert iou > 0.5, f"the test model does not follow the scene in the core (min IoU {iou:.2f}): retrain it"
    return path


@pytest.fixture(name="context")
def context_fixture() -> Iterator[Context]:
    """Provide a private, initialised rclpy Context, shut down after the test."""
    ctx = Context()
    rclpy.init(context=ctx)
    yield ctx
    rclpy.try_shutdown(context=ctx)


@pytest.fixture(name="corrupt_model")
def corrupt_model_fixture(tmp_path: Path, model_dir: Path) -> Path:
    """Write a .onnx file of garbage with a valid card beside it (its sha256 matches, so only loading can tell)."""
    import json

    from light_tracker_ros.core.model_card import file_sha256
    path = tmp_path / "corrupt.onnx"
    path.write_bytes(b"this is not an onnx model" * 10)
    card = json.loads((model_dir / "cnn_tiny.json").read_text())
    card.update(name="corrupt", onnx_sha256=file_sha256(path))
    (tmp_path / "corrupt.json").write_text(json.dumps(card))
    return path


@pytest.fixture(name="copied_model")
def copied_model_fixture(tmp_path: Path, model_dir: Path) -> Path:
    """Copy vit_tiny to a private folder (to swap to)."""
    for suffix in (".onnx", ".json"):
        shutil.copy(model_dir / f"vit_tiny{suffix}", tmp_path / f"vit_tiny{suffix}")
    return tmp_path / "vit_tiny.onnx"
