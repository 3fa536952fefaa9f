# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``train_tracker``: train a model variant on pair folders from a YAML config (single process or torchrun)."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from light_tracker_ros.core.config import from_mapping, load_yaml
from light_tracker_ros.training.config import TrainConfig
from light_tracker_ros.training.distributed import cleanup, init_distributed
from light_tracker_ros.training.loop import train


def main(argv: list[str] | None = None) -> int:
    """Train; ``--set key=value`` overrides YAML values (parsed as YAML scalars)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="config/train/<name>.yaml")
    parser.add_argument("--run-dir", type=Path, help="checkpoint folder (default <data_dir>/runs/<name>)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import yaml
    cfg = load_yaml(TrainConfig, args.config)
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = yaml.safe_load(value)
    if overrides:
        cfg = from_mapping(TrainConfig, {**cfg.__dict__, **overrides})
    state = train(cfg, args.run_dir)
    info = init_distributed()
    if info.is_main:
        print(f"{cfg.name}: {state['step']} steps in {state['minutes']:.1f} min, "
              f"best val IoU {state['best_val_iou']:.3f}")
    cleanup(info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
