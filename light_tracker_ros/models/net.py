# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""TrackerNet: feature extraction and fusion (per family) followed by the shared CenterHead."""
from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from light_tracker_ros.models.backbone import ResNetBackbone, StemConv
from light_tracker_ros.models.head import CenterHead, depthwise_xcorr
from light_tracker_ros.models.layers import Gate, TransformerBlock, conv_bn
from light_tracker_ros.models.pair_forward import pair_forward


class TrackerNet(nn.Module):
    """Base of the three families: ``forward(template, search) -> (score_logits, size, offset)``."""

    family = ""

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__()
        self.architecture = copy.deepcopy(arch)

    def forward_features(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Fused (B, C, H, W) map at the search feature resolution."""
        raise NotImplementedError

    def forward(self, template: torch.Tensor, search: torch.Tensor):
        """Score logits (B,1,H,W), size (B,2,H,W) and offset (B,2,H,W)."""
        return self.head(self.forward_features(template, search))


class SiameseCNN(TrackerNet):
    """CNN family (SiamRPN++/SuperDiMP-like): shared ResNet, 1x1 adjust, depthwise cross-correlation."""

    family = "cnn"

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__(arch)
        self.backbone = ResNetBackbone(arch["backbone"])
        width = arch["fusion"]["channels"]
        self.adjust_template = conv_bn(self.backbone.out_channels, width, 1)
        self.adjust_search = conv_bn(self.backbone.out_channels, width, 1)
        self.fusion_gate = Gate(width)  # the correlation width is prunable: both adjust convs lose channel c
        self.head = CenterHead(width, arch["head"])

    def forward_features(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Correlate template features over search features, channel by channel."""
        template, search = pair_forward(self.backbone, [template, search])
        kernel = self.adjust_template(template)
        feat = self.adjust_search(search)
        return self.fusion_gate(depthwise_xcorr(feat, kernel))


def _grid(size: int, stride: int) -> int:
    return size // stride


class TokenFusion(nn.Module):
    """Joint attention over template and search tokens, with learned position and type embeddings."""

    def __init__(self, dim: int, blocks: list[dict[str, Any]], template_cells: int, search_cells: int) -> None:
        super().__init__()
        self.pos_template = nn.Parameter(torch.randn(1, template_cells, dim) * 0.02)
        self.pos_search = nn.Parameter(torch.randn(1, search_cells, dim) * 0.02)
        self.blocks = nn.Sequential(*[TransformerBlock(dim, b["heads"], b["head_dim"], b["mlp"], b.get("scale"))
                                      for b in blocks])
        self.norm = nn.LayerNorm(dim)

    def forward(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Both (B, D, h, w) maps in; the search map after fusion out, (B, D, H, W)."""
        b, d, h, w = search.shape
        tokens_z = template.flatten(2).transpose(1, 2) + self.pos_template
        tokens_x = search.flatten(2).transpose(1, 2) + self.pos_search
        nz = tokens_z.shape[1]
        x = self.norm(self.blocks(torch.cat([tokens_z, tokens_x], dim=1)))
        return x[:, nz:].transpose(1, 2).reshape(b, d, h, w)


class PatchEmbed(nn.Module):
    """Image to token map: a strided conv stem (``kind: stem``) or a single patch conv (``kind: patch``)."""

    def __init__(self, arch: dict[str, Any], dim: int) -> None:
        super().__init__()
        if arch["kind"] == "patch":
            self.layers = nn.Sequential(nn.Conv2d(3, dim, arch["patch"], arch["patch"]))
            self.stride = arch["patch"]
        else:
            layers: list[nn.Module] = []
            cin = 3
            for width in arch["channels"]:
                layers.append(StemConv(cin, width, 3, 2, prunable=True))
                cin = width
            layers.append(nn.Conv2d(cin, dim, 3, 2, 1))
            self.layers = nn.Sequential(*layers)
            self.stride = 2 ** (len(arch["channels"]) + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, dim, H/stride, W/stride)."""
        return self.layers(x)


class OneStreamViT(TrackerNet):
    """Transformer family (OSTrack-like): one ViT over template and search tokens together."""

    family = "transformer"

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__(arch)
        dim = arch["dim"]
        self.embed = PatchEmbed(arch["embed"], dim)
        s = self.embed.stride
        self.fusion = TokenFusion(dim, arch["blocks"], _grid(arch["template_size"], s) ** 2,
                                  _grid(arch["search_size"], s) ** 2)
        self.head = CenterHead(dim, arch["head"])

    def forward_features(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Embed both images, attend jointly, return the search token map."""
        return self.fusion(*pair_forward(self.embed.layers, [template, search]))


class HybridTransformer(TrackerNet):
    """Hybrid family (STARK-like): ResNet features, a 1x1 projection, a transformer encoder over both."""

    family = "hybrid"

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__(arch)
        dim = arch["dim"]
        self.backbone = ResNetBackbone(arch["backbone"])
        self.project = nn.Conv2d(self.backbone.out_channels, dim, 1)
        s = self.backbone.stride
        self.fusion = TokenFusion(dim, arch["blocks"], _grid(arch["template_size"], s) ** 2,
                                  _grid(arch["search_size"], s) ** 2)
        self.head = CenterHead(dim, arch["head"])

    def forward_features(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Backbone both images, project to tokens, encode jointly, return the search map."""
        template, search = pair_forward(self.backbone, [template, search])
        return self.fusion(self.project(template), self.project(search))


FAMILY_CLASSES: dict[str, type[TrackerNet]] = {
    "cnn": SiameseCNN, "transformer": OneStreamViT, "hybrid": HybridTransformer}


def build_model(arch: dict[str, Any]) -> TrackerNet:
    """Build a TrackerNet from an architecture dict (``net`` picks an imported architecture, else ``family``)."""
    if arch.get("net") == "nanotrack":  # imported architectures are variants of a family with their own class
        from light_tracker_ros.models.nanotrack import NanoTrackNet
        return NanoTrackNet(arch)
    if arch.get("net") == "vittrack":
        from light_tracker_ros.models.vittrack import VitTrackNet
        return VitTrackNet(arch)
    try:
        cls = FAMILY_CLASSES[arch["family"]]
    except KeyError as exc:
        raise ValueError(f"architecture family must be one of {sorted(FAMILY_CLASSES)}, "
                         f"got {arch.get('family')!r}") from exc
    return cls(arch)
