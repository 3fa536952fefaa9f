# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Training pairs in memory and on disk: template crop, search crop and the target box in the search crop.

A pair set is three arrays: ``templates`` (N, T, T, 3) and ``searches`` (N, S, S, 3) uint8 BGR crops, and
``boxes`` (N, 4) float32 (cx, cy, w, h) of the target in fractions of the search crop side. A pair folder holds
one pair set as three ``.npy`` files; configs name folders with a weight (:func:`pair_sources`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from light_tracker_ros.core.errors import ConfigError, DatasetError

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


@dataclass(frozen=True)
class Normalisation:
    """How a model wants its input: ``(pixel / 255 - mean) / std`` per channel, in ``channel_order``."""

    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    channel_order: str = "rgb"

    @classmethod
    def of_card(cls, card: Any) -> "Normalisation":
        """Return the normalisation a model card records (``mean``, ``std``, ``channel_order``)."""
        return cls(tuple(card.mean), tuple(card.std), card.channel_order)


IMAGENET_RGB = Normalisation()


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
            raise DatasetError(f"pair folder {path} cannot be read ({exc}); build it with light-tracker pairs") from exc

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


def normalise(images: np.ndarray, norm: Normalisation = IMAGENET_RGB) -> torch.Tensor:
    """(N, H, W, 3) uint8 BGR -> (N, 3, H, W) float32 as ``norm`` says (default ImageNet mean and std, RGB)."""
    pixels = images[..., ::-1] if norm.channel_order == "rgb" else images
    mean, std = np.asarray(norm.mean, np.float32), np.asarray(norm.std, np.float32)
    scaled = pixels.astype(np.float32) * (1.0 / 255.0)
    return torch.from_numpy(np.ascontiguousarray(((scaled - mean) / std).transpose(0, 3, 1, 2)))


class PairDataset(Dataset):
    """
    Torch dataset over one or several pair sets (indexed one after the other, not copied).

    Optional cheap augmentation (colour jitter, grey, flip) draws from the dataset's own generator, or from the
    one given to :meth:`item` (so that a batch is a function of its step). ``norm`` is the model's input
    normalisation (its card's mean, std and channel order).
    """

    def __init__(self, pairs: PairArrays | Sequence[PairArrays], augment: bool = False, seed: int = 0,
                 norm: Normalisation = IMAGENET_RGB) -> None:
        self.parts = [pairs] if isinstance(pairs, PairArrays) else list(pairs)
        self.norm = norm
        self.offsets = np.cumsum([0] + [len(p) for p in self.parts])
        self.augment = augment
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.item(index, self.rng)

    def item(self, index: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Pair ``index`` as normalised (3, T, T), (3, S, S) tensors and its box, augmented with ``rng``."""
        k = int(np.searchsorted(self.offsets, index, side="right")) - 1
        pairs, local = self.parts[k], index - int(self.offsets[k])
        template = np.asarray(pairs.templates[local])
        search = np.asarray(pairs.searches[local])
        box = pairs.boxes[local].copy()
        if self.augment:
            template, search, box = _augment(template, search, box, rng)
        return (normalise(template[None], self.norm)[0], normalise(search[None], self.norm)[0],
                torch.from_numpy(box))


def _augment(template: np.ndarray, search: np.ndarray, box: np.ndarray, rng: np.random.Generator
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


@dataclass(frozen=True)
class PairSource:
    """A pair folder and its weight: its pairs are drawn ``weight`` times as often as a folder of weight 1."""

    path: str
    weight: int = 1


def pair_sources(items: Sequence[str | Mapping[str, Any]], key: str = "pairs") -> list[PairSource]:
    """
    Read config entries naming pair folders: ``folder`` or ``{path: folder, weight: N}`` (N >= 1).

    A folder listed several times adds up its weights (older configs repeated a folder to weight it).

    :raises ConfigError: an entry that is neither, an unknown key, or a weight that is not a positive integer.
    """
    weights: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"'{key}[{i}]'"
        if isinstance(item, Mapping):
            unknown = sorted(set(item) - {"path", "weight"})
            if unknown:
                raise ConfigError(f"{where}: unknown key(s) {unknown}; an entry is {{path: folder, weight: N}}")
            path, weight = item.get("path"), item.get("weight", 1)
        else:
            path, weight = item, 1
        if not isinstance(path, str) or not path:
            raise ConfigError(f"{where} must be a folder or {{path: folder, weight: N}}, got {item!r}")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ConfigError(f"{where}: weight must be an integer >= 1, got {weight!r}")
        weights[path] = weights.get(path, 0) + weight
    return [PairSource(path, weight) for path, weight in weights.items()]


def load_sources(sources: Sequence[PairSource], base: Path) -> tuple[list[PairArrays], np.ndarray]:
    """
    Load each source's folder (absolute, or relative to ``base``) memory-mapped.

    Returns the pair sets and the index table to draw from: each pair's index (in a :class:`PairDataset` over
    the sets) appears ``weight`` times.
    """
    parts = [PairArrays.load(Path(s.path) if Path(s.path).is_absolute() else base / s.path) for s in sources]
    offsets = np.cumsum([0] + [len(p) for p in parts])
    table = [np.repeat(np.arange(offsets[k], offsets[k + 1]), s.weight) for k, s in enumerate(sources)]
    return parts, np.concatenate(table) if table else np.zeros(0, np.int64)
