# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Training pairs in memory and on disk: template crop, search crop and the target box in the search crop.

A pair set is three arrays: ``templates`` (N, T, T, 3) and ``searches`` (N, S, S, 3) uint8 BGR crops, and
``boxes`` (N, 4) float32 (cx, cy, w, h) of the target in fractions of the search crop side.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from light_tracker_ros.core.errors import DatasetError

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


@dataclass
class PairArrays:
    """N training pairs as numpy arrays (see module docstring)."""

    templates: np.ndarray
    searches: np.ndarray
    boxes: np.ndarray

    def __len__(self) -> int:
        return len(self.boxes)

    def save(self, path: str | Path) -> None:
        """Write the pairs to a folder of three ``.npy`` files (memory-mappable)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "templates.npy", self.templates)
        np.save(path / "searches.npy", self.searches)
        np.save(path / "boxes.npy", self.boxes.astype(np.float32))

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> "PairArrays":
        """Read pairs written by :meth:`save` (memory-mapped by default)."""
        path = Path(path)
        mode = "r" if mmap else None
        try:
            return cls(np.load(path / "templates.npy", mmap_mode=mode), np.load(path / "searches.npy", mmap_mode=mode),
                       np.load(path / "boxes.npy").astype(np.float32))
        except OSError as exc:
            raise DatasetError(f"pair folder {path} cannot be read ({exc}); build it with build_pairs") from exc

    @classmethod
    def concat(cls, parts: list["PairArrays"]) -> "PairArrays":
        """Join several pair sets."""
        return cls(np.concatenate([p.templates for p in parts]), np.concatenate([p.searches for p in parts]),
                   np.concatenate([p.boxes for p in parts]))


def synthetic_pairs(n: int, template_size: int, search_size: int, seed: int = 0) -> PairArrays:
    """Procedural pairs for tests: a textured ellipse on a noise background, moved and rescaled."""
    rng = np.random.default_rng(seed)
    templates = np.zeros((n, template_size, template_size, 3), np.uint8)
    searches = np.zeros((n, search_size, search_size, 3), np.uint8)
    boxes = np.zeros((n, 4), np.float32)
    for i in range(n):
        color = rng.integers(0, 255, 3).tolist()
        size = rng.uniform(0.18, 0.32)
        search_size_change = rng.uniform(0.7, 1.4)  # the object's scale in the search crop varies on its own
        for canvas, side, centre in ((templates[i], template_size, (0.5, 0.5)),
                                     (searches[i], search_size, tuple(rng.uniform(0.3, 0.7, 2)))):
            canvas[:] = rng.integers(0, 80, (side, side, 3), dtype=np.uint8)
            scale = size * (2.0 if side == template_size else search_size_change) * side
            axes = (max(int(scale / 2), 2), max(int(scale / 2.6), 2))
            cv2.ellipse(canvas, (int(centre[0] * side), int(centre[1] * side)), axes, 0, 0, 360, color, -1)
            if side == search_size:
                boxes[i] = (int(centre[0] * side) / side, int(centre[1] * side) / side,
                            2 * axes[0] / side, 2 * axes[1] / side)
    return PairArrays(templates, searches, boxes)


def normalise(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 BGR -> (N, 3, H, W) float32 normalised RGB (ImageNet mean and std)."""
    rgb = images[..., ::-1].astype(np.float32) * (1.0 / 255.0)
    return torch.from_numpy(np.ascontiguousarray(((rgb - MEAN) / STD).transpose(0, 3, 1, 2)))


class PairDataset(Dataset):
    """Torch dataset over PairArrays with optional cheap augmentation (colour jitter, grey, flip)."""

    def __init__(self, pairs: PairArrays, augment: bool = False, seed: int = 0) -> None:
        self.pairs = pairs
        self.augment = augment
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        template = np.asarray(self.pairs.templates[index])
        search = np.asarray(self.pairs.searches[index])
        box = self.pairs.boxes[index].copy()
        if self.augment:
            template, search, box = self._augment(template, search, box)
        return normalise(template[None])[0], normalise(search[None])[0], torch.from_numpy(box)

    def _augment(self, template: np.ndarray, search: np.ndarray, box: np.ndarray):
        rng = self.rng
        if rng.random() < 0.5:
            template, search = template[:, ::-1], search[:, ::-1]
            box[0] = 1.0 - box[0]
        gain = rng.uniform(0.7, 1.3, 3).astype(np.float32)
        template = np.clip(template * gain, 0, 255).astype(np.uint8)
        search = np.clip(search * gain * rng.uniform(0.85, 1.15), 0, 255).astype(np.uint8)
        if rng.random() < 0.1:
            template = np.repeat(template.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
            search = np.repeat(search.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
        return template, search, box
