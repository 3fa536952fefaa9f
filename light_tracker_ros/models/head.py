# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The one head all families share: a conv trunk, then a target score map, box size and sub-cell offset."""
from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from light_tracker_ros.models.layers import Gate, conv_bn


class CenterHead(nn.Module):
    """
    Centre-point head on a (B, C, H, W) fused map; ``arch`` = {channels: [c1, c2, ...]}.

    Every trunk width but the last is prunable (a Gate follows it). The last one feeds the score, size and
    offset convs and stays whole: children whose last trunk layer kept a handful of channels could not learn
    their score map back in fine-tuning (their focal loss stayed high).

    Returns score logits (B, 1, H, W), size (B, 2, H, W) as (w, h) fractions of the search crop, and
    offset (B, 2, H, W) as the sub-cell (x, y) position of the centre in [0, 1].
    """

    def __init__(self, cin: int, arch: dict[str, Any]) -> None:
        super().__init__()
        trunk: list[nn.Module] = []
        widths = list(arch["channels"])
        for k, width in enumerate(widths):
            trunk += [conv_bn(cin, width, 3), nn.ReLU(inplace=True)]
            if k + 1 < len(widths):  # the last layer feeds score/size/offset and is kept whole (no gate)
                trunk.append(Gate(width))
            cin = width
        self.trunk = nn.Sequential(*trunk)
        self.score = nn.Conv2d(cin, 1, 1)
        self.size = nn.Conv2d(cin, 2, 1)
        self.offset = nn.Conv2d(cin, 2, 1)
        nn.init.constant_(self.score.bias, -math.log((1 - 0.01) / 0.01))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Score logits, size and offset maps."""
        x = self.trunk(x)
        return self.score(x), torch.sigmoid(self.size(x)), torch.sigmoid(self.offset(x))


def decode_peak(score: torch.Tensor, size: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
    """Box (cx, cy, w, h) in search-crop fractions at the arg-max cell of each score map, (B, 4)."""
    b, _, h, w = score.shape
    idx = score.flatten(1).argmax(dim=1)
    iy, ix = idx // w, idx % w
    ar = torch.arange(b)
    cx = (ix.float() + offset[ar, 0, iy, ix]) / w
    cy = (iy.float() + offset[ar, 1, iy, ix]) / h
    return torch.stack([cx, cy, size[ar, 0, iy, ix], size[ar, 1, iy, ix]], dim=1)


def depthwise_xcorr(search: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Depthwise cross-correlation keeping the search resolution (template features as kernels)."""
    b, c, h, w = search.shape
    kh, kw = kernel.shape[-2:]
    out = F.conv2d(search.reshape(1, b * c, h, w), kernel.reshape(b * c, 1, kh, kw),
                   padding=(kh // 2, kw // 2), groups=b * c)
    return out[:, :, :h, :w].reshape(b, c, h, w)
