# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Real temporal pairs from unlabelled video, labelled by cycle-consistent tracking.

A random textured box in frame t is followed forward for a few frames by OpenCV's CSRT and then backward
to frame t; a trajectory is kept only when the backward pass returns to the starting box (IoU above
``min_cycle_iou``) and no step is implausible. Each kept trajectory yields pairs (t, t+k) with the
forward boxes as labels: real motion, real appearance change and real backgrounds.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from light_tracker_ros.core.types import Box
from light_tracker_ros.data.pairs import PairArrays
from light_tracker_ros.training.synthesis import crop_pair


def _csrt(frame: np.ndarray, box: Box) -> cv2.Tracker:
    tracker = cv2.TrackerCSRT_create()
    tracker.init(frame, tuple(int(round(v)) for v in box.as_tuple()))
    return tracker


def _follow(frames: list[np.ndarray], box: Box, scale: float = 0.5) -> list[Box] | None:
    """Boxes of ``box`` tracked through ``frames`` (first frame = box) by CSRT on frames resized by ``scale``."""
    small = [cv2.resize(f, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) for f in frames]
    tracker = _csrt(small[0], Box(box.x * scale, box.y * scale, box.w * scale, box.h * scale))
    boxes = [box]
    for frame in small[1:]:
        ok, found = tracker.update(frame)
        if not ok or found[2] < 3 or found[3] < 3:
            return None
        boxes.append(Box(*[float(v) / scale for v in found]))
    return boxes


def _textured_box(frame: np.ndarray, rng: np.random.Generator) -> Box | None:
    """Return a random box of 24..120 px whose content has enough texture to be trackable."""
    h, w = frame.shape[:2]
    size = math.exp(rng.uniform(math.log(24), math.log(min(120, h / 3))))
    aspect = math.exp(rng.normal(0, 0.35))
    bw, bh = size * math.sqrt(aspect), size / math.sqrt(aspect)
    x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
    patch = cv2.cvtColor(frame[int(y):int(y + bh), int(x):int(x + bw)], cv2.COLOR_BGR2GRAY)
    if patch.size == 0 or float(cv2.Laplacian(patch, cv2.CV_32F).var()) < 60.0:
        return None
    return Box(x, y, bw, bh)


def cycle_pairs(videos: list[list[np.ndarray]], count: int, seed: int, horizon: int = 8,
                min_cycle_iou: float = 0.7, template_size: int = 64, search_size: int = 128,
                progress: bool = True) -> PairArrays:
    """``count`` pairs from cycle-consistent CSRT trajectories over the given videos (BGR frame lists)."""
    from tqdm import tqdm
    rng = np.random.default_rng(seed)
    templates = np.zeros((count, template_size, template_size, 3), np.uint8)
    searches = np.zeros((count, search_size, search_size, 3), np.uint8)
    boxes = np.zeros((count, 4), np.float32)
    weights = np.array([len(v) for v in videos], float)
    weights /= weights.sum()
    made = 0
    with tqdm(total=count, desc="cycle-consistent video pairs", disable=not progress) as bar:
        while made < count:
            video = videos[rng.choice(len(videos), p=weights)]
            step = int(rng.integers(1, 3))
            start = int(rng.integers(0, len(video) - horizon * step - 1))
            clip = video[start:start + horizon * step + 1:step]
            box = _textured_box(clip[0], rng)
            if box is None:
                continue
            forward = _follow(clip, box)
            if forward is None:
                continue
            backward = _follow(clip[::-1], forward[-1])
            if backward is None or backward[-1].iou(box) < min_cycle_iou:
                continue
            for k in rng.permutation(np.arange(1, len(clip)))[:3]:
                pair = crop_pair(clip[0], forward[0], clip[k], forward[k], rng, template_size, search_size)
                if pair is None or made >= count:
                    continue
                templates[made], searches[made], boxes[made] = pair
                made += 1
                bar.update(1)
    return PairArrays(templates, searches, boxes)
