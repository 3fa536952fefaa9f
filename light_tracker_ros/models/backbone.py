# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ResNet-style backbone built from an architecture dict with explicit (prunable) widths."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from light_tracker_ros.models.layers import BasicBlock, Bottleneck, Gate, conv_bn


class StemConv(nn.Module):
    """conv-bn-relu; a gate on its output when the channels are internal (prunable)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, prunable: bool) -> None:
        super().__init__()
        self.conv = conv_bn(cin, cout, kernel, stride)
        self.gate = Gate(cout) if prunable else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve, normalise, rectify, gate."""
        x = F.relu(self.conv(x))
        return x if self.gate is None else self.gate(x)


class ResNetBackbone(nn.Module):
    """
    Stem then residual stages; ``arch`` = {block, stem: [{out, stride, kernel}], maxpool, stages: [...]}.

    Each stage is {out, stride, dilation, mids}; ``mids`` lists the inner width of every block (a pair for
    bottlenecks). Output stride is the product of the strides.
    """

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__()
        block = {"basic": BasicBlock, "bottleneck": Bottleneck}[arch.get("block", "basic")]
        layers: list[nn.Module] = []
        cin = 3
        for i, conv in enumerate(arch["stem"]):
            last = i == len(arch["stem"]) - 1
            layers.append(StemConv(cin, conv["out"], conv.get("kernel", 3), conv["stride"], prunable=not last))
            cin = conv["out"]
        if arch.get("maxpool", False):
            layers.append(nn.MaxPool2d(3, 2, 1))
        self.stem = nn.Sequential(*layers)
        stages = []
        for stage in arch["stages"]:
            blocks = []
            for j, mid in enumerate(stage["mids"]):
                stride = stage["stride"] if j == 0 else 1
                blocks.append(block(cin, stage["out"], tuple(mid) if isinstance(mid, list) else mid,
                                    stride, stage.get("dilation", 1)))
                cin = stage["out"]
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.out_channels = cin
        self.stride = 1
        for conv in arch["stem"]:
            self.stride *= conv["stride"]
        self.stride *= 2 if arch.get("maxpool", False) else 1
        for stage in arch["stages"]:
            self.stride *= stage["stride"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features at 1/stride resolution."""
        return self.stages(self.stem(x))
