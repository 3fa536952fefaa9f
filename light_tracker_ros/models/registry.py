# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Named model variants: tiny factories returning architecture dicts (from test-sized to published)."""
from __future__ import annotations

from typing import Any, Callable

VARIANTS: dict[str, Callable[[], dict[str, Any]]] = {}


def register(name: str) -> Callable:
    """Register an architecture factory under ``name``."""
    def wrap(fn: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        VARIANTS[name] = fn
        return fn
    return wrap


def architecture(name: str) -> dict[str, Any]:
    """Return the architecture dict of a registered variant (a fresh copy)."""
    if name not in VARIANTS:
        raise KeyError(f"unknown model variant '{name}'; registered: {sorted(VARIANTS)}")
    arch = VARIANTS[name]()
    arch["variant"] = name
    return arch


def _resnet(stem: list[int], stages: list[tuple[int, int, int]], mid_scale: float = 1.0) -> dict[str, Any]:
    """Basic-block ResNet: stem widths (each stride 2) and stages as (out, stride, blocks)."""
    return {"block": "basic", "stem": [{"out": c, "stride": 2} for c in stem],
            "stages": [{"out": out, "stride": s, "mids": [int(out * mid_scale)] * n} for out, s, n in stages]}


def _blocks(depth: int, heads: int, head_dim: int, mlp: int) -> list[dict[str, int]]:
    return [{"heads": heads, "head_dim": head_dim, "mlp": mlp} for _ in range(depth)]


@register("cnn_tiny")
def _cnn_tiny() -> dict[str, Any]:
    return {"family": "cnn", "template_size": 32, "search_size": 64,
            "backbone": _resnet([8, 16], [(16, 1, 1), (32, 2, 1)]),
            "fusion": {"channels": 16}, "head": {"channels": [16]}}


@register("cnn_small")
def _cnn_small() -> dict[str, Any]:
    """Return the CPU parent (stride 8, about 2.2M parameters)."""
    return {"family": "cnn", "template_size": 64, "search_size": 128,
            "backbone": _resnet([24, 48], [(64, 1, 1), (128, 2, 2), (192, 1, 2)]),
            "fusion": {"channels": 128}, "head": {"channels": [96, 64]}}


@register("cnn_r50")
def _cnn_r50() -> dict[str, Any]:
    """Return the published scale: ResNet-50 to layer3 (stride 16), 128/256 inputs."""
    stages = [{"out": 256, "stride": 1, "mids": [[64, 64]] * 3},
              {"out": 512, "stride": 2, "mids": [[128, 128]] * 4},
              {"out": 1024, "stride": 2, "mids": [[256, 256]] * 6}]
    return {"family": "cnn", "template_size": 128, "search_size": 256,
            "backbone": {"block": "bottleneck", "stem": [{"out": 64, "stride": 2, "kernel": 7}],
                         "maxpool": True, "stages": stages},
            "fusion": {"channels": 256}, "head": {"channels": [256, 128]}}


@register("vit_tiny")
def _vit_tiny() -> dict[str, Any]:
    return {"family": "transformer", "template_size": 32, "search_size": 64, "dim": 32,
            "embed": {"kind": "stem", "channels": [8, 16]}, "blocks": _blocks(2, 2, 16, 64),
            "head": {"channels": [16]}}


@register("vit_small")
def _vit_small() -> dict[str, Any]:
    """Return the CPU parent (stride-8 conv stem, 4 blocks of width 192)."""
    return {"family": "transformer", "template_size": 64, "search_size": 128, "dim": 192,
            "embed": {"kind": "stem", "channels": [32, 64]}, "blocks": _blocks(4, 3, 64, 768),
            "head": {"channels": [96, 64]}}


@register("vit_b16")
def _vit_b16() -> dict[str, Any]:
    """Return the published scale (OSTrack-256): ViT-B/16, 128/256 inputs."""
    return {"family": "transformer", "template_size": 128, "search_size": 256, "dim": 768,
            "embed": {"kind": "patch", "patch": 16}, "blocks": _blocks(12, 12, 64, 3072),
            "head": {"channels": [256, 128]}}


@register("hybrid_tiny")
def _hybrid_tiny() -> dict[str, Any]:
    return {"family": "hybrid", "template_size": 32, "search_size": 64, "dim": 32,
            "backbone": _resnet([8, 16], [(16, 1, 1), (32, 2, 1)]), "blocks": _blocks(1, 2, 16, 64),
            "head": {"channels": [16]}}


@register("hybrid_small")
def _hybrid_small() -> dict[str, Any]:
    """Return the CPU parent (stride-8 ResNet then 3 encoder blocks of width 192)."""
    return {"family": "hybrid", "template_size": 64, "search_size": 128, "dim": 192,
            "backbone": _resnet([24, 48], [(64, 1, 1), (128, 2, 2)]), "blocks": _blocks(3, 3, 64, 768),
            "head": {"channels": [96, 64]}}


@register("hybrid_r50")
def _hybrid_r50() -> dict[str, Any]:
    """Return the published scale (STARK-S50): ResNet-50 to layer3 and 6 encoder blocks of width 256."""
    arch = _cnn_r50()
    return {"family": "hybrid", "template_size": 128, "search_size": 256, "dim": 256,
            "backbone": arch["backbone"], "blocks": _blocks(6, 8, 32, 2048), "head": {"channels": [256, 128]}}


def _mobilenet_v3(stem: int, rows: list[tuple[int, int, int, int, int, str]]) -> list[dict[str, Any]]:
    """Inverted residual blocks as (expansion, out, kernel, stride, squeeze-excite width or 0, activation)."""
    blocks, cin = [], stem
    for e, o, k, s, se, a in rows:
        blocks.append({"exp": e, "out": o, "kernel": k, "stride": s, "se": se, "act": a, "expand": e != cin})
        cin = o
    return blocks


#: MobileNetV3-small to stride 16 as in NanoTrack's published files (v3 adds a stride-1 block to 96 channels)
_NANOTRACK_V2_BLOCKS = [(16, 16, 3, 2, 8, "relu"), (72, 24, 3, 2, 0, "relu"), (88, 24, 3, 1, 0, "relu"),
                        (96, 40, 5, 2, 24, "hswish"), (240, 40, 5, 1, 64, "hswish"), (240, 40, 5, 1, 64, "hswish"),
                        (120, 48, 5, 1, 32, "hswish"), (144, 48, 5, 1, 40, "hswish")]


@register("nanotrack_v2")
def _nanotrack_v2() -> dict[str, Any]:
    """Return NanoTrack v2 (what cv2.TrackerNano runs): 127/255 px raw BGR inputs, stride 16, 16x16 maps."""
    return {"family": "cnn", "net": "nanotrack", "template_size": 127, "search_size": 255, "stride": 16,
            "score_size": 16, "backbone": {"stem": 16, "blocks": _mobilenet_v3(16, _NANOTRACK_V2_BLOCKS)},
            "head": {"version": 2, "channels": 48, "cells": 64, "cls_tower": [96] * 6, "reg_tower": [96] * 6}}


@register("nanotrack_v3")
def _nanotrack_v3() -> dict[str, Any]:
    """Return NanoTrack v3: 127/255 px raw BGR inputs, stride 16, 15x15 maps, 0.53M parameters."""
    blocks = _NANOTRACK_V2_BLOCKS + [(288, 96, 5, 1, 72, "hswish")]
    return {"family": "cnn", "net": "nanotrack", "template_size": 127, "search_size": 255, "stride": 16,
            "score_size": 15, "backbone": {"stem": 16, "blocks": _mobilenet_v3(16, blocks)},
            "head": {"version": 3, "channels": 96, "cells": 64, "width": 96, "centre": 4, "cls_tower": [96] * 6,
                     "reg_tower": [96] * 6}}


@register("vittrack")
def _vittrack() -> dict[str, Any]:
    """Return VitTrack (what cv2.TrackerVit runs): 128/256 px inputs, stride-16 conv stem, 3 blocks of width 48."""
    return {"family": "transformer", "net": "vittrack", "template_size": 128, "search_size": 256, "dim": 48,
            "embed": {"channels": [6, 12, 24]}, "blocks": _blocks(3, 1, 48, 192),
            "head": {"ctr": [32, 16, 8, 4], "offset": [32, 16, 8, 4], "size": [32, 16, 8, 4]}}


@register("nanotrack_tiny")
def _nanotrack_tiny() -> dict[str, Any]:
    """Return a test-sized NanoTrack v3 (63/127 px, 4x4 template cells, 7x7 maps): the published layout, small."""
    rows = [(8, 8, 3, 2, 4, "relu"), (24, 12, 3, 2, 0, "relu"), (32, 16, 5, 2, 8, "hswish"),
            (48, 16, 5, 1, 8, "hswish")]
    return {"family": "cnn", "net": "nanotrack", "template_size": 63, "search_size": 127, "stride": 16,
            "score_size": 7, "backbone": {"stem": 8, "blocks": _mobilenet_v3(8, rows)},
            "head": {"version": 3, "channels": 16, "cells": 16, "width": 16, "centre": 4, "cls_tower": [16] * 2,
                     "reg_tower": [16] * 2}}


@register("vittrack_tiny")
def _vittrack_tiny() -> dict[str, Any]:
    """Return a test-sized VitTrack (64/128 px, width 16, two blocks of two heads)."""
    return {"family": "transformer", "net": "vittrack", "template_size": 64, "search_size": 128, "dim": 16,
            "embed": {"channels": [4, 8, 8]}, "blocks": _blocks(2, 2, 8, 32),
            "head": {"ctr": [16, 8], "offset": [16, 8], "size": [16, 8]}}
