# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Normalisation into model inputs: the table look-up gives exactly the per-pixel float32 arithmetic."""
from __future__ import annotations

import time

import numpy as np
import pytest

from light_tracker_ros.core.model_card import ModelCard, default_models_dir
from light_tracker_ros.core.preprocessing import to_input

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def per_pixel(patch: np.ndarray, mean: tuple, std: tuple, channel_order: str = "rgb") -> np.ndarray:
    """Normalise as ``to_input`` did before the table look-up (the reference): numpy arithmetic per pixel."""
    if channel_order == "rgb":
        patch = patch[:, :, ::-1]
    arr = patch.astype(np.float32) * (1.0 / 255.0)
    arr = (arr - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(arr.transpose(2, 0, 1)[None])


@pytest.mark.parametrize("channel_order", ["rgb", "bgr"])
@pytest.mark.parametrize("shape", [(256, 256, 3), (128, 128, 3), (7, 5, 3)])
@pytest.mark.parametrize("mean,std", [IMAGENET, ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))])
def test_bit_for_bit_equal_to_per_pixel_arithmetic(channel_order: str, shape: tuple, mean: tuple, std: tuple) -> None:
    """Every uint8 value in every channel, in both channel orders: same shape, dtype, layout and bits."""
    rng = np.random.default_rng(sum(shape))
    patch = rng.integers(0, 256, shape, dtype=np.uint8)
    if patch.size >= 3 * 256:  # every uint8 value in every channel
        patch.reshape(-1, 3)[:256] = np.arange(256, dtype=np.uint8)[:, None]
    got, want = to_input(patch, mean, std, channel_order), per_pixel(patch, mean, std, channel_order)
    assert got.shape == want.shape == (1, 3) + shape[:2] and got.dtype == np.float32
    assert got.flags.c_contiguous
    assert np.array_equal(got, want)


def test_channel_order_swaps_planes() -> None:
    """A pure blue patch: rgb puts it in plane 2, bgr in plane 0 (a swapped order would fail this)."""
    patch = np.zeros((4, 4, 3), np.uint8)
    patch[:, :, 0] = 255  # blue in BGR
    zero = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    assert to_input(patch, *zero, "rgb")[0, :, 0, 0].tolist() == [0.0, 0.0, 1.0]
    assert to_input(patch, *zero, "bgr")[0, :, 0, 0].tolist() == [1.0, 0.0, 0.0]


def test_shipped_cards_and_a_non_contiguous_patch() -> None:
    """The mean/std of the default model's card, on a strided view (a crop of a larger frame)."""
    card = ModelCard.load(default_models_dir() / "vittrack.json")
    frame = np.random.default_rng(1).integers(0, 256, (300, 300, 3), dtype=np.uint8)
    view = frame[10:266, 20:276]
    got = to_input(view, card.mean, card.std, card.channel_order)
    assert np.array_equal(got, per_pixel(view, card.mean, card.std, card.channel_order))


def test_faster_than_per_pixel_arithmetic() -> None:
    """The point of the change: a 256x256 search patch is normalised at least twice as fast (best of 20)."""
    patch = np.random.default_rng(2).integers(0, 256, (256, 256, 3), dtype=np.uint8)

    def best(fn) -> float:
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            fn(patch, *IMAGENET, "rgb")
            times.append(time.perf_counter() - t0)
        return min(times)
    assert best(to_input) * 2.0 < best(per_pixel)
