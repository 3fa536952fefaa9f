# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``light-tracker half MODEL.onnx ...``: store exported models' weights in half precision (card updated)."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, file_sha256
from light_tracker_ros.models.weight_storage import store_half


def convert(path: Path) -> str:
    """Convert one model in place unless it already stores half precision; return what was done."""
    card_path = path.with_suffix(".json")
    card = ModelCard.load(card_path)
    if card.onnx_sha256 and card.onnx_sha256 != file_sha256(path):
        raise ModelFileError(f"{path} does not match the SHA-256 in {card_path}; refusing to convert it")
    if card.weight_storage == "float16":
        return f"{path}: already float16"
    before = path.stat().st_size
    count = store_half(path)
    dataclasses.replace(card, weight_storage="float16", onnx_sha256=file_sha256(path)).save(card_path)
    return f"{path}: {count} tensors to float16, {before / 1e6:.2f} -> {path.stat().st_size / 1e6:.2f} MB"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker half``."""
    parser = common.subparser(subparsers, "half", __doc__)
    parser.add_argument("models", nargs="+", type=Path, help=".onnx files with their .json cards beside them")
    return parser


def run(args: argparse.Namespace) -> int:
    """Convert every model named, going on after a failure; 0, or 2 if one could not be converted."""
    code = 0
    for path in args.models:
        try:
            print(convert(path))
        except ModelFileError as exc:  # report and go on with the next model; the exit code says one failed
            print(f"{common.PROG} {args.command}: error: {exc}", file=sys.stderr)
            code = common.EXIT_ERROR
    return code


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker half`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
