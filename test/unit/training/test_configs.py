# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Train and prune YAML compose: ``_base_`` inheritance, pair folders with weights, and the shipped files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from light_tracker_ros.core.config import load_yaml, read_yaml_tree
from light_tracker_ros.core.errors import ConfigError
from light_tracker_ros.data.pairs import PairSource, load_sources, pair_sources, synthetic_pairs
from light_tracker_ros.pruning.config import PruneConfig
from light_tracker_ros.training.config import TrainConfig

ROOT = Path(__file__).resolve().parents[3]


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_child_keys_override_and_nested_mappings_merge(tmp_path: Path) -> None:
    _write(tmp_path / "shared", "base.yaml", "lr: 0.1\nsteps: 10\nextra: {a: 1, b: {c: 2, d: 3}}\npairs: [x, y]\n")
    _write(tmp_path / "shared", "more.yaml", "_base_: base.yaml\nsteps: 20\n")
    child = _write(tmp_path / "runs", "child.yaml",
                   "_base_: [../shared/more.yaml]\nlr: 0.5\nextra: {b: {d: 4}}\npairs: [z]\n")
    assert read_yaml_tree(child) == {"lr": 0.5, "steps": 20, "extra": {"a": 1, "b": {"c": 2, "d": 4}},
                                     "pairs": ["z"]}  # lists are replaced, not appended


def test_later_bases_win(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "lr: 0.1\nsteps: 5\n")
    _write(tmp_path, "b.yaml", "lr: 0.2\n")
    cfg = load_yaml(TrainConfig, _write(tmp_path, "c.yaml", "_base_: [a.yaml, b.yaml]\nname: c\n"))
    assert (cfg.name, cfg.lr, cfg.steps) == ("c", 0.2, 5)


def test_unknown_keys_are_rejected_by_name_in_a_base_too(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", "family: cnn\nsearch_stepz: 3\n")
    path = _write(tmp_path, "child.yaml", "_base_: base.yaml\nsearch_steps: 4\n")
    with pytest.raises(ConfigError, match=r"child\.yaml: unknown key 'search_stepz'"):
        load_yaml(PruneConfig, path)


def test_cycles_and_bad_bases_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "_base_: b.yaml\nlr: 0.1\n")
    _write(tmp_path, "b.yaml", "_base_: a.yaml\n")
    with pytest.raises(ConfigError, match=r"inheritance cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml"):
        load_yaml(TrainConfig, tmp_path / "a.yaml")
    with pytest.raises(ConfigError, match="cycle"):
        load_yaml(TrainConfig, _write(tmp_path, "self.yaml", "_base_: self.yaml\n"))
    with pytest.raises(ConfigError, match="cannot read config file .*missing.yaml"):
        load_yaml(TrainConfig, _write(tmp_path, "m.yaml", "_base_: missing.yaml\n"))
    with pytest.raises(ConfigError, match="_base_ must be a file name"):
        load_yaml(TrainConfig, _write(tmp_path, "n.yaml", "_base_: 3\n"))


def test_pair_folders_take_weights_and_repeats_still_work() -> None:
    repeated = pair_sources(["a", "b", "b", "b"])
    assert repeated == pair_sources(["a", {"path": "b", "weight": 3}]) == [PairSource("a", 1), PairSource("b", 3)]
    for bad, message in (({"path": "a", "weight": 0}, "integer >= 1"), ({"path": "a", "wieght": 2}, "wieght"),
                         ({"weight": 2}, "must be a folder"), (3, "must be a folder")):
        with pytest.raises(ConfigError, match=message):
            TrainConfig(pairs=[bad])


def test_a_weighted_folder_is_drawn_that_many_times_as_often(tmp_path: Path) -> None:
    synthetic_pairs(4, 32, 64, seed=0).save(tmp_path / "a")
    synthetic_pairs(6, 32, 64, seed=1).save(tmp_path / "b")
    parts, table = load_sources(pair_sources(["a", {"path": str(tmp_path / "b"), "weight": 3}]), tmp_path)
    assert [len(p) for p in parts] == [4, 6]
    assert np.bincount(table).tolist() == [1] * 4 + [3] * 6  # indices 0..3 from a, 4..9 from b


def test_shipped_train_configs_compose_to_the_parents_recipe() -> None:
    for family, variant in (("cnn", "cnn_small"), ("transformer", "vit_small"), ("hybrid", "hybrid_small")):
        cfg = load_yaml(TrainConfig, ROOT / f"config/train/{family}.yaml")
        assert (cfg.name, cfg.variant, cfg.steps) == (f"{family}_parent", variant, 12000)
        assert cfg.val_pairs == ["pairs/heldout"]
        assert pair_sources(cfg.pairs) == [PairSource("pairs/composite-1"), PairSource("pairs/composite-2"),
                                           PairSource("pairs/video-cycles", 5)]
    cnn = load_yaml(PruneConfig, ROOT / "config/prune/cnn.yaml")
    vit = load_yaml(PruneConfig, ROOT / "config/prune/transformer.yaml")
    assert (cnn.penalty_heads, cnn.distill_features, vit.penalty_heads, vit.distill_features) == (0.0, 0.0, 1e-3, 0.1)
    assert cnn.search_steps == vit.search_steps == 1000  # from base.yaml
