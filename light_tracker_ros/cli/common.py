# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
What every ``light-tracker`` subcommand shares: its options, ``--set`` overrides, threads and the exit-code rule.

Exit codes: 0 success; 2 a :class:`~light_tracker_ros.core.errors.TrackerError` (one line on stderr naming the
command and the reason) or a usage error (argparse); 130 interrupted (Ctrl-C). A command's ``run`` may also
return 1 for "ran, but nothing came out" (``benchmark`` with no child in the folder; ``demo`` without a box, or
whose node could not load the model).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

from light_tracker_ros.core.config import BACKENDS, from_mapping, load_yaml, to_mapping
from light_tracker_ros.core.errors import ConfigError, TrackerError
from light_tracker_ros.core.paths import portable_path

PROG = "light-tracker"
EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 2, 130
T = TypeVar("T")
AddParser = Callable[[Any], argparse.ArgumentParser]
Run = Callable[[argparse.Namespace], int]


def subparser(subparsers: Any, name: str, doc: str | None, **kwargs: Any) -> argparse.ArgumentParser:
    """Add subcommand ``name``: help from the first line of ``doc``, description from the whole of it."""
    text = (doc or "").strip()
    return subparsers.add_parser(name, help=text.split("\n")[0], description=text,
                                 formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)


def add_config_options(parser: argparse.ArgumentParser, example: str) -> None:
    """``--config FILE`` (required) and ``--set KEY=VALUE`` (repeatable) for commands driven by a YAML config."""
    parser.add_argument("--config", type=Path, required=True, help=f"YAML config, e.g. {example}")
    add_set_option(parser, "override a config key (the value is read as YAML); repeatable")


def add_set_option(parser: argparse.ArgumentParser, help: str) -> None:  # noqa: A002
    """``--set KEY=VALUE``, repeatable."""
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help)


def add_threads_option(parser: argparse.ArgumentParser, help: str = "CPU threads of inference") -> None:  # noqa: A002
    """``--threads N`` (default 1)."""
    parser.add_argument("--threads", type=int, default=1, help=f"{help} (default 1)")


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    """``--backend`` with the package's backends as choices."""
    parser.add_argument("--backend", default=BACKENDS[0], choices=BACKENDS,
                        help=f"inference backend of our models (default {BACKENDS[0]})")


def add_models_dir_option(parser: argparse.ArgumentParser) -> None:
    """``--models-dir DIR``, repeatable: where model names are looked up (default: the installed models/)."""
    parser.add_argument("--models-dir", dest="models_dirs", action="append", default=[], metavar="DIR",
                        help="folder to look model names up in, searched in order (default: the installed models/)")


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """Turn ``["a=1", "b=x"]`` into ``{"a": 1, "b": "x"}`` (values read as YAML scalars); raise ConfigError."""
    import yaml
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            overrides[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {key.strip()}: value {value!r} is not a YAML scalar ({exc})") from exc
    return overrides


def apply_overrides(config: T, items: list[str]) -> T:
    """Return ``config`` (a config dataclass) with the ``--set`` items applied and checked (ConfigError names a key)."""
    overrides = parse_overrides(items)
    if not overrides:
        return config
    try:
        return from_mapping(type(config), {**to_mapping(config), **overrides})
    except ConfigError as exc:
        raise ConfigError(f"--set: {exc}") from exc


def load_config(cls: type[T], args: argparse.Namespace) -> T:
    """Load ``args.config`` as ``cls`` and apply ``args.overrides``."""
    return apply_overrides(load_yaml(cls, args.config), args.overrides)


def check_threads(threads: int) -> int:
    """Return ``threads`` if it is >= 1, else raise ConfigError."""
    if threads < 1:
        raise ConfigError(f"--threads must be >= 1, got {threads}")
    return threads


def set_torch_threads(threads: int) -> None:
    """Give torch ``threads`` intra-op threads, once per process, at the start of a command that runs torch."""
    import torch
    torch.set_num_threads(check_threads(threads))


def execute(run: Run, args: argparse.Namespace) -> int:
    """Run a command under the one exit-code rule (see the module docstring)."""
    try:
        return int(run(args))
    except TrackerError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def standalone(add_parser: AddParser, run: Run, argv: list[str] | None = None) -> int:
    """Run one subcommand as its own program (``python -m light_tracker_ros.cli.<module> ...``, torchrun)."""
    parser = argparse.ArgumentParser(prog=PROG)
    subparsers = parser.add_subparsers(dest="command", required=True)
    name = add_parser(subparsers).prog.split()[-1]
    return execute(run, parser.parse_args([name, *(sys.argv[1:] if argv is None else argv)]))


def split_list(values: list[str] | None) -> list[str]:
    """Flatten repeated and comma-separated option values: ``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def load_sequences(datasets: list[str]) -> list[Any]:
    """Read every dataset folder (plain, GOT-10k, LaSOT or OTB layout); prefix names that collide."""
    from light_tracker_ros.data.readers import read_any

    sequences: list[Any] = []
    names: set[str] = set()
    for dataset in datasets:
        for sequence in read_any(dataset):
            if sequence.name in names:
                sequence.name = f"{Path(dataset).name}/{sequence.name}"
            names.add(sequence.name)
            sequences.append(sequence)
    return sequences


def portable(value: Any) -> Any:
    """Make every absolute path in a config mapping, list or string portable, as core.paths.portable_path does."""
    if isinstance(value, dict):
        return {k: portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(v) for v in value]
    if isinstance(value, (str, Path)) and str(value).startswith(("/", "~")):
        return portable_path(value)
    return value


def checkpoint_card_fields(path: Path, ckpt: dict[str, Any]) -> dict[str, Any]:
    """
    Card fields ``training`` and ``metrics`` of a parent exported from a training checkpoint.

    Everything comes from the checkpoint itself: its run's resolved config (``training.config``, paths portable),
    step, minutes and data history, and its source file. ``metrics.heldout_iou`` is the best mean IoU the run had
    reached on its ``val_pairs`` folders (held-out pairs; recorded in ``metrics.heldout_iou_pairs``).
    """
    state = ckpt.get("state", {})
    config = portable(dict(state.get("config", {})))
    training = {"source": portable_path(path), "steps": state.get("step"),
                "minutes": round(float(state.get("minutes", 0.0)), 1), "world_size": state.get("world_size", 1),
                "data": config.get("pairs"), "data_history": portable(state.get("data_history", [])),
                "config": config}
    best = float(state.get("best_val_iou", -1.0))
    metrics = {"heldout_iou": round(best, 4), "heldout_iou_pairs": config.get("val_pairs")} if best >= 0 else {}
    return {"training": training, "metrics": metrics}


def export_checkpoint(path: Path, out: Path, name: str, weight_storage: str) -> Any:
    """Export one training checkpoint (or snapshot) to ``out/name.onnx`` + card; return the card."""
    from light_tracker_ros.models.export import export_onnx
    from light_tracker_ros.pruning.parents import load_checkpoint
    from light_tracker_ros.pruning.units import prunable_param_count
    model, ckpt = load_checkpoint(path)
    return export_onnx(model, out, name, weight_storage, prunable_params=prunable_param_count(model),
                       **checkpoint_card_fields(path, ckpt))
