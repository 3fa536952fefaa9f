# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
VitTrack (OpenCV Zoo's object_tracking_vittrack, what cv2.TrackerVit runs) on plain torch, a transformer variant.

A one-stream ViT (OSTrack-like): a stride-16 conv stem (hard swish between convs) embeds the 128 px template
and the 256 px search crop, learned position embeddings are added, template and search tokens go through
pre-norm transformer blocks together (the package's :class:`~light_tracker_ros.models.layers.TransformerBlock`)
and a final norm; the search tokens form a 16x16 map read by a centre head of three conv towers (centre score,
offset, size). The outputs are this package's contract: score logit (its sigmoid is the published score map),
size (w, h) as fractions of the search crop and the centre's (x, y) offset in cells.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from light_tracker_ros.models.layers import Gate, TransformerBlock
from light_tracker_ros.models.net import TrackerNet

#: the published network clamps its sigmoid maps to [CLAMP, 1 - CLAMP]
CLAMP = 1e-4


def conv_tower(cin: int, widths: list[int]) -> nn.Sequential:
    """3x3 conv + ReLU + Gate layers of the given (prunable) widths; batch norm folded into the convolutions."""
    layers: list[nn.Module] = []
    for width in widths:
        layers += [nn.Conv2d(cin, width, 3, 1, 1), nn.ReLU(), Gate(width)]
        cin = width
    return nn.Sequential(*layers)


class VitTrackNet(TrackerNet):
    """
    VitTrack; ``arch`` = {dim, embed: {channels}, blocks: [{heads, head_dim, mlp}], head: {ctr, offset, size}}.

    Prunable: the stem's inner widths, attention heads, head dimensions and MLP units, the towers' widths.

    Module names follow the published file's named initializers (``pos_embed_z``, ``blocks.i.norm1``, ``norm``).
    """

    family = "transformer"

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__(arch)
        dim = arch["dim"]
        layers: list[nn.Module] = []
        cin = 3
        for width in arch["embed"]["channels"]:
            layers += [nn.Conv2d(cin, width, 3, 2, 1), nn.Hardswish(), Gate(width)]
            cin = width
        layers.append(nn.Conv2d(cin, dim, 3, 2, 1))
        self.embed = nn.Sequential(*layers)
        stride = 2 ** (len(arch["embed"]["channels"]) + 1)
        self.grid = arch["search_size"] // stride
        self.pos_embed_z = nn.Parameter(torch.zeros(1, (arch["template_size"] // stride) ** 2, dim))
        self.pos_embed_x = nn.Parameter(torch.zeros(1, self.grid ** 2, dim))
        nn.init.trunc_normal_(self.pos_embed_z, std=0.02)
        nn.init.trunc_normal_(self.pos_embed_x, std=0.02)
        self.blocks = nn.Sequential(*[TransformerBlock(dim, b["heads"], b["head_dim"], b["mlp"], b.get("scale"))
                                      for b in arch["blocks"]])
        self.norm = nn.LayerNorm(dim)
        head = arch["head"]
        self.ctr_tower = conv_tower(dim, list(head["ctr"]))
        self.offset_tower = conv_tower(dim, list(head["offset"]))
        self.size_tower = conv_tower(dim, list(head["size"]))
        self.ctr = nn.Conv2d(head["ctr"][-1], 1, 1)
        self.offset = nn.Conv2d(head["offset"][-1], 2, 1)
        self.size = nn.Conv2d(head["size"][-1], 2, 1)

    def forward_features(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Embed both crops, attend jointly, return the search tokens as a (B, dim, n, n) map."""
        z = self.embed(template).flatten(2).transpose(1, 2) + self.pos_embed_z
        x = self.embed(search).flatten(2).transpose(1, 2) + self.pos_embed_x
        tokens = self.norm(self.blocks(torch.cat([z, x], dim=1)))[:, z.shape[1]:]
        return tokens.transpose(1, 2).reshape(tokens.shape[0], -1, self.grid, self.grid)

    def forward(self, template: torch.Tensor, search: torch.Tensor):
        """Score logits (B,1,n,n), size (B,2,n,n) and offset (B,2,n,n); module calls in the published order."""
        feat = self.forward_features(template, search)
        ctr = self.ctr_tower(feat)
        offset = self.offset(self.offset_tower(feat))
        size = self.size_tower(feat)
        return self.ctr(ctr), torch.clamp(torch.sigmoid(self.size(size)), CLAMP, 1 - CLAMP), offset

    def published_forward(self, template: torch.Tensor, search: torch.Tensor):
        """Return the published outputs: clamped sigmoid score map, size map, offset map."""
        logits, size, offset = VitTrackNet.forward(self, template, search)
        return torch.clamp(torch.sigmoid(logits), CLAMP, 1 - CLAMP), size, offset
