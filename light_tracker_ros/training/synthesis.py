# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Composite scenes with exact boxes: real object cut-outs moving over real photos or real video frames.

A scene has a background (a photo with a drifting camera, or consecutive frames of a real video), a target
cut-out, look-alike and other distractors, and sometimes an occluder passing over the target. Every sprite
follows a trajectory of positions, sizes, rotations and gains. Rendering frame t gives the image and the
tightest box around the visible part of the target. Training pairs are two frames of a scene, cropped as the
tracker crops them; held-out sequences are longer scenes made from held-out cut-outs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from light_tracker_ros.core.preprocessing import crop, window_for
from light_tracker_ros.core.types import Box
from light_tracker_ros.data.pairs import PairArrays
from light_tracker_ros.training.sources import Assets


@dataclass(frozen=True)
class SceneConfig:
    """Ranges of the random scene parameters (sizes in pixels of a frame_height x frame_width frame)."""

    frame_height: int = 480
    frame_width: int = 640
    min_size: float = 20.0
    max_size: float = 150.0
    motion: float = 0.6
    scale_change: float = 0.12
    rotation_deg: float = 10.0
    max_distractors: int = 4
    lookalike_prob: float = 0.4
    occluder_prob: float = 0.25
    blur_prob: float = 0.2
    illumination: float = 0.25
    video_prob: float = 0.4


@dataclass
class Sprite:
    """A cut-out and its trajectory: centre (T, 2) px, size (T,) px (sqrt of area), angle (T,) deg, gain (T, 3)."""

    image: np.ndarray
    centres: np.ndarray
    sizes: np.ndarray
    angles: np.ndarray
    gains: np.ndarray
    aspect: float


def _tint(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = image.copy()
    out[:, :, :3] = np.clip(out[:, :, :3] * rng.uniform(0.6, 1.4, 3), 0, 255).astype(np.uint8)
    return out


def _walk(rng: np.random.Generator, start: np.ndarray, steps: int, speed: float) -> np.ndarray:
    """Smooth random walk of ``steps`` points with inertia (pixels)."""
    points = [start]
    velocity = rng.normal(0, speed, 2)
    for _ in range(steps - 1):
        velocity = 0.8 * velocity + rng.normal(0, speed * 0.6, 2)
        points.append(points[-1] + velocity)
    return np.array(points)


class Scene:
    """A random composite scene of ``length`` frames (see module docstring)."""

    def __init__(self, assets: Assets, cfg: SceneConfig, rng: np.random.Generator, length: int,
                 pair_gap: bool = False) -> None:
        self.cfg = cfg
        self.rng = rng
        self.length = length
        h, w = cfg.frame_height, cfg.frame_width
        self._background_source(assets, length)
        size = math.exp(rng.uniform(math.log(cfg.min_size), math.log(cfg.max_size)))
        target_image = assets.cutouts[rng.integers(len(assets.cutouts))]
        start = np.array([rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h])
        speed = cfg.motion * size * (1.0 if pair_gap else 0.25)
        self.target = self._sprite(target_image, start, size, length, speed)
        self.distractors = []
        for _ in range(rng.integers(0, cfg.max_distractors + 1)):
            if rng.random() < cfg.lookalike_prob:
                image = _tint(target_image, rng)
                dsize = size * math.exp(rng.normal(0, 0.2))
            else:
                image = assets.cutouts[rng.integers(len(assets.cutouts))]
                dsize = math.exp(rng.uniform(math.log(cfg.min_size), math.log(cfg.max_size)))
            near = start + rng.normal(0, 2.0 * size, 2)
            self.distractors.append(self._sprite(image, near, dsize, length, speed))
        self.occluder = None
        if rng.random() < cfg.occluder_prob:
            image = assets.cutouts[rng.integers(len(assets.cutouts))]
            osize = size * rng.uniform(0.4, 0.9)
            centres = self.target.centres + rng.normal(0, 0.45 * size, 2) * np.array([[1.0, 1.0]])
            self.occluder = Sprite(image, centres, np.full(length, osize), np.zeros(length),
                                   np.ones((length, 3)), 1.0)
        self.blur = [rng.random() < cfg.blur_prob for _ in range(length)]

    def _background_source(self, assets: Assets, length: int) -> None:
        cfg, rng = self.cfg, self.rng
        h, w = cfg.frame_height, cfg.frame_width
        use_video = assets.videos and rng.random() < cfg.video_prob
        if use_video:
            video = assets.videos[rng.integers(len(assets.videos))]
            step = int(rng.integers(1, 4))
            first = int(rng.integers(0, max(len(video) - step * length, 1)))
            self.frames = [video[min(first + i * step, len(video) - 1)] for i in range(length)]
        else:
            photo = assets.photos[rng.integers(len(assets.photos))]
            self.frames = [photo] * length
        src_h, src_w = self.frames[0].shape[:2]
        zoom = rng.uniform(1.0, 1.6) * max(h / src_h, w / src_w)
        drift = _walk(rng, np.zeros(2), length, 2.0 if not use_video else 0.5)
        self.cameras = [(zoom * math.exp(0.01 * i * rng.normal()), d) for i, d in enumerate(drift)]

    def _sprite(self, image: np.ndarray, start: np.ndarray, size: float, length: int, speed: float) -> Sprite:
        cfg, rng = self.cfg, self.rng
        centres = _walk(rng, start, length, speed)
        sizes = size * np.exp(np.cumsum(rng.normal(0, cfg.scale_change, length)) - 0.0)
        sizes[0] = size
        angles = rng.normal(0, cfg.rotation_deg) + np.cumsum(rng.normal(0, cfg.rotation_deg / 2, length))
        gains = np.exp(np.cumsum(rng.normal(0, cfg.illumination / 2, (length, 3)), axis=0) * 0.5)
        gains[0] = 1.0
        return Sprite(image, centres, np.clip(sizes, 8, 400), angles, gains, math.exp(rng.normal(0, 0.15)))

    def _background(self, t: int) -> np.ndarray:
        cfg = self.cfg
        zoom, (dx, dy) = self.cameras[t]
        src = self.frames[t]
        cx = src.shape[1] / 2 + dx
        cy = src.shape[0] / 2 + dy
        matrix = np.array([[zoom, 0, cfg.frame_width / 2 - zoom * cx], [0, zoom, cfg.frame_height / 2 - zoom * cy]])
        return cv2.warpAffine(src, matrix, (cfg.frame_width, cfg.frame_height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REFLECT)

    @staticmethod
    def _paste(frame: np.ndarray, sprite: Sprite, t: int, mask: np.ndarray | None = None) -> None:
        """Alpha-blend the sprite at time t into frame; write its alpha>0.5 into ``mask`` if given."""
        image = sprite.image
        ih, iw = image.shape[:2]
        area_scale = sprite.sizes[t] / math.sqrt(ih * iw)
        sx, sy = area_scale * sprite.aspect ** 0.5, area_scale / sprite.aspect ** 0.5
        angle = math.radians(sprite.angles[t])
        cos, sin = math.cos(angle), math.sin(angle)
        a = np.array([[cos * sx, -sin * sy], [sin * sx, cos * sy]])
        corners = a @ np.array([[0, iw, iw, 0], [0, 0, ih, ih]], dtype=np.float64) - \
            (a @ np.array([iw / 2, ih / 2]))[:, None]
        x0 = int(math.floor(sprite.centres[t, 0] + corners[0].min()))
        y0 = int(math.floor(sprite.centres[t, 1] + corners[1].min()))
        x1 = int(math.ceil(sprite.centres[t, 0] + corners[0].max()))
        y1 = int(math.ceil(sprite.centres[t, 1] + corners[1].max()))
        fh, fw = frame.shape[:2]
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, fw), min(y1, fh)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        offset = np.array([sprite.centres[t, 0] - cx0, sprite.centres[t, 1] - cy0]) - a @ np.array([iw / 2, ih / 2])
        matrix = np.hstack([a, offset[:, None]])
        warped = cv2.warpAffine(image, matrix, (cx1 - cx0, cy1 - cy0), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
        alpha = warped[:, :, 3:4].astype(np.float32) / 255.0
        colour = np.clip(warped[:, :, :3].astype(np.float32) * sprite.gains[t], 0, 255)
        region = frame[cy0:cy1, cx0:cx1]
        region[:] = (colour * alpha + region.astype(np.float32) * (1 - alpha)).astype(np.uint8)
        if mask is not None:
            mask[cy0:cy1, cx0:cx1] |= alpha[:, :, 0] > 0.5

    def render(self, t: int) -> tuple[np.ndarray, Box | None]:
        """Frame t (BGR uint8) and the box of the visible target (None when less than 25% of it shows)."""
        frame = self._background(t)
        for sprite in self.distractors:
            self._paste(frame, sprite, t)
        target_mask = np.zeros(frame.shape[:2], bool)
        self._paste(frame, self.target, t, target_mask)
        full = int(target_mask.sum())
        if self.occluder is not None:
            occluder_mask = np.zeros(frame.shape[:2], bool)
            self._paste(frame, self.occluder, t, occluder_mask)
            target_mask &= ~occluder_mask
        if self.blur[t]:
            k = int(self.rng.integers(1, 4)) * 2 + 1
            frame = cv2.GaussianBlur(frame, (k, k), 0)
        ys, xs = np.nonzero(target_mask)
        if full == 0 or len(xs) < 0.25 * full or len(xs) < 16:
            return frame, None
        return frame, Box(float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1),
                          float(ys.max() - ys.min() + 1))


def crop_pair(frame1: np.ndarray, box1: Box, frame2: np.ndarray, box2: Box, rng: np.random.Generator,
              template_size: int = 64, search_size: int = 128, template_factor: float = 2.0,
              search_factor: float = 4.0, centre_jitter: float = 0.25, scale_jitter: float = 0.1
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """
    Template crop around box1 and search crop around a noisy copy of box1 (as the tracker would see it).

    Returns (template, search, box2 in search-crop fractions cx, cy, w, h), or None if box2 leaves the crop.
    """
    size = math.sqrt(box1.w * box1.h)
    noisy = Box.from_center(box1.cx + rng.normal(0, centre_jitter) * size,
                            box1.cy + rng.normal(0, centre_jitter) * size,
                            box1.w * math.exp(rng.normal(0, scale_jitter)),
                            box1.h * math.exp(rng.normal(0, scale_jitter)))
    window = window_for(noisy, search_factor, search_size)
    target = np.array(window.box_to_crop(box2), np.float32)
    if not (0.03 < target[0] < 0.97 and 0.03 < target[1] < 0.97) or target[2] > 1.0 or target[3] > 1.0:
        return None
    template = crop(frame1, window_for(box1, template_factor, template_size))
    return template, crop(frame2, window), target


class PairBuffer:
    """Fixed-size template, search and box arrays, filled pair by pair with :func:`crop_pair`."""

    def __init__(self, count: int, template_size: int, search_size: int) -> None:
        self.templates = np.zeros((count, template_size, template_size, 3), np.uint8)
        self.searches = np.zeros((count, search_size, search_size, 3), np.uint8)
        self.boxes = np.zeros((count, 4), np.float32)
        self.made = 0

    @property
    def full(self) -> bool:
        """Tell whether every slot is filled."""
        return self.made >= len(self.boxes)

    def add(self, frame1: np.ndarray, box1: Box, frame2: np.ndarray, box2: Box, rng: np.random.Generator) -> bool:
        """Crop one pair into the next slot; False if box2 leaves the search crop or the buffer is full."""
        pair = crop_pair(frame1, box1, frame2, box2, rng, self.templates.shape[1], self.searches.shape[1])
        if pair is None or self.full:
            return False
        self.templates[self.made], self.searches[self.made], self.boxes[self.made] = pair
        self.made += 1
        return True

    def arrays(self) -> PairArrays:
        """Return the filled part as PairArrays."""
        return PairArrays(self.templates[:self.made], self.searches[:self.made], self.boxes[:self.made])


def composite_pairs(assets: Assets, count: int, seed: int, cfg: SceneConfig = SceneConfig(),
                    template_size: int = 64, search_size: int = 128, progress: bool = True) -> PairArrays:
    """``count`` training pairs from two-frame scenes (frames 0 and 1 of each scene)."""
    from tqdm import tqdm
    rng = np.random.default_rng(seed)
    buffer = PairBuffer(count, template_size, search_size)
    with tqdm(total=count, desc=f"composite pairs (seed {seed})", disable=not progress) as bar:
        while not buffer.full:
            scene = Scene(assets, cfg, rng, length=2, pair_gap=True)
            frame1, box1 = scene.render(0)
            frame2, box2 = scene.render(1)
            if box1 is not None and box2 is not None and buffer.add(frame1, box1, frame2, box2, rng):
                bar.update(1)
    return buffer.arrays()


def composite_sequence(assets: Assets, length: int, seed: int,
                       cfg: SceneConfig = SceneConfig()) -> tuple[list[np.ndarray], np.ndarray]:
    """Return a held-out composite sequence: frames and (length, 4) x, y, w, h boxes (NaN when hidden)."""
    rng = np.random.default_rng(seed)
    while True:
        scene = Scene(assets, cfg, rng, length=length)
        frames, boxes = [], np.full((length, 4), np.nan)
        for t in range(length):
            frame, box = scene.render(t)
            frames.append(frame)
            if box is not None:
                boxes[t] = box.as_tuple()
        if not np.isnan(boxes[0]).any():
            return frames, boxes
