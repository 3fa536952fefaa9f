# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``light-tracker data``: obtain the real images and videos by package name into the data cache (outside git)."""
from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.core.paths import data_dir
from light_tracker_ros.training.sources import DEBIAN_PACKAGES, PYPI_PACKAGES

log = logging.getLogger("fetch_data")


def fetch_debian(packages: tuple[str, ...], debs: Path, raw: Path) -> None:
    """``apt-get download`` each package into ``debs`` and unpack it with ``dpkg -x`` into ``raw``."""
    debs.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(debs.glob(f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True)
    for deb in sorted(debs.glob("*.deb")):
        marker = raw / ".unpacked" / deb.name
        if not marker.exists():
            subprocess.run(["dpkg", "-x", str(deb), str(raw)], check=True)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()


def fetch_pypi_data(packages: tuple[str, ...], raw: Path) -> None:
    """``pip download`` each wheel and copy its image data (scikit-image's ``skimage/data``) into ``raw``."""
    target = raw / "skimage_data"
    if target.is_dir() and any(target.iterdir()):
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", tmp,
                        *packages], check=True)
        target.mkdir(parents=True, exist_ok=True)
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                for name in archive.namelist():
                    if "/data/" in name and name.lower().endswith((".png", ".jpg", ".jpeg")):
                        with archive.open(name) as src, open(target / Path(name).name, "wb") as dst:
                            shutil.copyfileobj(src, dst)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker data``."""
    parser = common.subparser(subparsers, "data", __doc__)
    parser.add_argument("--data-dir", type=Path, default=data_dir(), help="cache root (default: %(default)s)")
    parser.add_argument("--no-pypi", action="store_true", help="skip scikit-image's sample images")
    return parser


def run(args: argparse.Namespace) -> int:
    """Download and unpack the data packages (idempotent)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raw = args.data_dir / "raw"
    try:
        fetch_debian(DEBIAN_PACKAGES, args.data_dir / "debs", raw)
        if not args.no_pypi:
            fetch_pypi_data(PYPI_PACKAGES, raw)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DatasetError(f"fetching the data packages failed: {exc}") from exc
    log.info("data unpacked under %s", raw)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker data`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
