# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker import nanotrack|vittrack``: turn a published tracker's ONNX files into one of our models.

Examples (files from HonglinChu/SiamTrackers and OpenCV Zoo, Apache-2.0; not in this repository)::

    light-tracker import nanotrack --version 3 --backbone nanotrack_backbone.onnx --head nanotrack_head.onnx
        --repository HonglinChu/SiamTrackers --commit <sha> --check
    light-tracker import vittrack --file object_tracking_vittrack_2023sep.onnx --check

The weights are read from the files' initializers into the registered ``nanotrack_v2``/``nanotrack_v3``/
``vittrack`` network, exported with our inputs/outputs (ONNX + card); the card carries the authors' crop,
normalisation and decoding.
``--check`` runs both on random crops with ONNX Runtime and prints the largest output difference.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import ConfigError, ModelFileError
from light_tracker_ros.core.paths import data_dir

#: outputs of the imported model may differ from the published files' by float rounding only
CHECK_TOLERANCE = 1e-4


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker import``."""
    parser = common.subparser(subparsers, "import", __doc__)
    parser.add_argument("kind", choices=("nanotrack", "vittrack"), help="published tracker to import")
    parser.add_argument("--version", type=int, choices=(2, 3), default=3, help="NanoTrack version")
    parser.add_argument("--backbone", type=Path, default=None, help="NanoTrack's published backbone .onnx")
    parser.add_argument("--head", type=Path, default=None, help="NanoTrack's published head (neck + head) .onnx")
    parser.add_argument("--file", type=Path, default=None, help="VitTrack's published .onnx")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: <data_dir>/imported; pass models/ only deliberately)")
    parser.add_argument("--name", default=None, help="model name (default: nanotrack_v<version> or vittrack)")
    parser.add_argument("--repository", default=None, help="where the files come from, for the card (owner/name)")
    parser.add_argument("--commit", default=None, help="the repository's commit, for the card")
    parser.add_argument("--check", action="store_true",
                        help=f"compare outputs with the published files (fails above {CHECK_TOLERANCE:g})")
    return parser


def run(args: argparse.Namespace) -> int:
    """Import, print the card's summary (and the output check); 0 on success."""
    from light_tracker_ros.models import importer

    files = (args.backbone, args.head) if args.kind == "nanotrack" else (args.file,)
    if any(f is None for f in files):
        raise ConfigError(f"import {args.kind} needs " + ("--backbone and --head" if args.kind == "nanotrack"
                                                          else "--file"))
    common.set_torch_threads(1)
    out = args.out or data_dir() / "imported"
    if args.kind == "nanotrack":
        name = args.name or f"nanotrack_v{args.version}"
        card = importer.import_nanotrack(args.version, args.backbone, args.head, out, name, args.repository,
                                         args.commit)
    else:
        name = args.name or "vittrack"
        card = importer.import_vittrack(args.file, out, name, args.repository, args.commit)
    path = out / f"{name}.onnx"
    print(f"{path}: {card.variant}, {card.params:,} parameters, {card.macs / 1e6:.0f} MMACs")
    for source in card.training["sources"]:
        print(f"  {source['path']}: sha256 {source['sha256']} ({source['known']})")
    if args.check:
        error = (importer.max_output_error(path, args.backbone, args.head) if args.kind == "nanotrack"
                 else importer.vittrack_output_error(path, args.file))
        print(f"  largest output difference from the published files: {error:.2e}")
        if error > CHECK_TOLERANCE:
            raise ModelFileError(f"{path} differs from the published files by {error:.2e} (> {CHECK_TOLERANCE:g})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker import`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
