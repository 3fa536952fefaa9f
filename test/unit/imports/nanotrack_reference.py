# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Test and benchmark helper: the NanoTrack authors' tracking logic running their published ONNX files.

Written from HonglinChu/SiamTrackers ``NanoTrack/nanotrack/tracker/`` (read, not copied): the crop of side
``round(sqrt((w + a(w+h)) (h + a(w+h))))`` (times 255/127 for the search) around the centre, padded with the
frame's mean colour and resized with ``cv2.resize``; softmax score; (l, t, r, b) boxes around each cell's point;
scale and ratio penalty; additive Hanning window; size moved by ``lr * penalty * score``; box clipped to the
image. It is a reference to compare the imported model with, not a second tracker of the package.
"""
from __future__ import annotations

import time

import cv2
import numpy as np

from light_tracker_ros.core.types import Box, StageTimings, TrackResult, TrackState
from light_tracker_ros.models.importer import NANOTRACK_DECODING, published_outputs, relaxed_session

EXEMPLAR, INSTANCE, STRIDE = 127, 255, 16


def subwindow(frame: np.ndarray, centre: np.ndarray, out_size: int, side: float, fill: np.ndarray) -> np.ndarray:
    """Square crop of ``side`` (rounded) pixels around ``centre``, mean-colour padding, resized; 1x3xHxW float32."""
    side = int(round(side))
    half = (side + 1) / 2
    x0 = int(np.floor(centre[0] - half + 0.5))
    y0 = int(np.floor(centre[1] - half + 0.5))
    x1, y1 = x0 + side, y0 + side
    rows, cols = frame.shape[:2]
    pads = (max(0, -y0), max(0, y1 - rows), max(0, -x0), max(0, x1 - cols))
    if any(pads):
        top, bottom, left, right = pads
        canvas = np.empty((rows + top + bottom, cols + left + right, 3), np.uint8)
        canvas[:] = fill
        canvas[top:top + rows, left:left + cols] = frame
        patch = canvas[y0 + top:y1 + top, x0 + left:x1 + left]
    else:
        patch = frame[y0:y1, x0:x1]
    if side != out_size:
        patch = cv2.resize(patch, (out_size, out_size))
    return np.ascontiguousarray(patch.transpose(2, 0, 1)[None].astype(np.float32))


class NanoTrackReference:
    """The authors' NanoTrack tracker on ONNX Runtime, with ``init``/``update``/``reset`` like ours."""

    def __init__(self, backbone: str, head: str, version: int = 3, threads: int = 1) -> None:
        self.backbone = relaxed_session(backbone, threads)
        self.head = relaxed_session(head, threads)
        self.settings = NANOTRACK_DECODING[version]
        self.score_size = 15 if version == 3 else 16
        n = self.score_size
        hann = np.hanning(n)
        self.window = np.outer(hann, hann).ravel()
        grid = (np.arange(n) - n // 2) * STRIDE
        xs, ys = np.meshgrid(grid, grid)
        self.points = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
        self.reset()

    def reset(self) -> None:
        """Drop the target."""
        self.zf = None
        self.centre = self.size = None

    def _context(self) -> float:
        pad = self.settings["context_amount"] * float(np.sum(self.size))
        return float(np.sqrt((self.size[0] + pad) * (self.size[1] + pad)))

    def init(self, frame: np.ndarray, box) -> None:
        """Start on ``box`` (x, y, w, h pixels)."""
        x, y, w, h = (float(v) for v in box)
        self.centre = np.array([x + (w - 1) / 2, y + (h - 1) / 2])
        self.size = np.array([w, h])
        self.fill = frame.mean(axis=(0, 1))
        z = subwindow(frame, self.centre, EXEMPLAR, self._context(), self.fill)
        self.zf = self.backbone.run(None, {self.backbone.get_inputs()[0].name: z})[0]
        self.template = z

    def update(self, frame: np.ndarray) -> TrackResult:
        """Track into ``frame``."""
        t0 = time.perf_counter()
        s_z = self._context()
        scale_z = EXEMPLAR / s_z
        x = subwindow(frame, self.centre, INSTANCE, s_z * INSTANCE / EXEMPLAR, self.fill)
        t1 = time.perf_counter()
        xf = self.backbone.run(None, {self.backbone.get_inputs()[0].name: x})[0]
        names = [i.name for i in self.head.get_inputs()]
        cls, loc = self.head.run(None, {names[0]: self.zf, names[1]: xf})
        t2 = time.perf_counter()
        logits = cls[0].reshape(2, -1)
        score = np.exp(logits[1]) / (np.exp(logits[0]) + np.exp(logits[1]))
        d = loc[0].reshape(4, -1)
        x1, y1 = self.points[:, 0] - d[0], self.points[:, 1] - d[1]
        x2, y2 = self.points[:, 0] + d[2], self.points[:, 1] + d[3]
        pred = np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1])

        def change(r):
            return np.maximum(r, 1.0 / r)

        def sz(w, h):
            pad = (w + h) * 0.5
            return np.sqrt((w + pad) * (h + pad))

        s_c = change(sz(pred[2], pred[3]) / sz(self.size[0] * scale_z, self.size[1] * scale_z))
        r_c = change((self.size[0] / self.size[1]) / (pred[2] / pred[3]))
        penalty = np.exp(-(r_c * s_c - 1) * self.settings["penalty_k"])
        wi = self.settings["window_influence"]
        pscore = penalty * score * (1 - wi) + self.window * wi
        best = int(np.argmax(pscore))
        bbox = pred[:, best] / scale_z
        lr = penalty[best] * score[best] * self.settings["size_lr"]
        cx, cy = bbox[0] + self.centre[0], bbox[1] + self.centre[1]
        w = self.size[0] * (1 - lr) + bbox[2] * lr
        h = self.size[1] * (1 - lr) + bbox[3] * lr
        rows, cols = frame.shape[:2]
        cx, cy = max(0.0, min(cx, cols)), max(0.0, min(cy, rows))
        w, h = max(10.0, min(w, cols)), max(10.0, min(h, rows))
        self.centre, self.size = np.array([cx, cy]), np.array([w, h])
        t3 = time.perf_counter()
        box = Box(cx - w / 2, cy - h / 2, w, h)
        timings = StageTimings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
        return TrackResult(box, float(score[best]), True, TrackState.TRACKING, timings)


__all__ = ["NanoTrackReference", "published_outputs", "subwindow"]
