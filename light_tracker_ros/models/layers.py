# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Building blocks on plain torch: gates for prunable units, ResNet blocks and transformer blocks."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class Gate(nn.Module):
    """
    Identity on a group of prunable units (channels, heads or hidden units) until a soft mask is attached.

    ``dim`` is the tensor axis the units live on; pruning attaches ``mask`` (one weight per unit).
    """

    def __init__(self, units: int, dim: int = 1) -> None:
        super().__init__()
        self.units = units
        self.dim = dim
        self.mask: nn.Parameter | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scale each unit by its mask value (no-op without a mask)."""
        if self.mask is None:
            return x
        shape = [1] * x.dim()
        shape[self.dim] = self.units
        return x * self.mask.view(shape)


def conv_bn(cin: int, cout: int, kernel: int = 3, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    """Convolution (no bias) followed by batch norm."""
    pad = dilation * (kernel - 1) // 2
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, pad, dilation=dilation, bias=False),
                         nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    """ResNet basic block; its inner width ``mid`` is prunable (gate after the first conv)."""

    def __init__(self, cin: int, cout: int, mid: int, stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        self.conv1 = conv_bn(cin, mid, 3, stride, dilation)
        self.gate = Gate(mid)
        self.conv2 = conv_bn(mid, cout, 3, 1, dilation)
        self.down = conv_bn(cin, cout, 1, stride) if (stride != 1 or cin != cout) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual forward."""
        skip = x if self.down is None else self.down(x)
        y = self.gate(F.relu(self.conv1(x)))
        return F.relu(self.conv2(y) + skip)


class Bottleneck(nn.Module):
    """ResNet bottleneck block (1x1, 3x3, 1x1); both inner widths are prunable."""

    def __init__(self, cin: int, cout: int, mid: tuple[int, int], stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        m1, m2 = mid
        self.conv1 = conv_bn(cin, m1, 1)
        self.gate1 = Gate(m1)
        self.conv2 = conv_bn(m1, m2, 3, stride, dilation)
        self.gate2 = Gate(m2)
        self.conv3 = conv_bn(m2, cout, 1)
        self.down = conv_bn(cin, cout, 1, stride) if (stride != 1 or cin != cout) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual forward."""
        skip = x if self.down is None else self.down(x)
        y = self.gate1(F.relu(self.conv1(x)))
        y = self.gate2(F.relu(self.conv2(y)))
        return F.relu(self.conv3(y) + skip)


class Attention(nn.Module):
    """
    Multi-head self-attention with prunable heads (``gate``) and head dimensions (``dim_gate``).

    ``dim_gate`` scales dimension j of q, k and v in every head alike; ``scale`` (default head_dim ** -0.5)
    is explicit so that a model whose head_dim was pruned keeps its parent's attention temperature.
    """

    def __init__(self, dim: int, heads: int, head_dim: int, scale: float | None = None) -> None:
        super().__init__()
        self.heads = heads
        self.head_dim = head_dim
        self.scale = head_dim ** -0.5 if scale is None else float(scale)
        self.qkv = nn.Linear(dim, 3 * heads * head_dim)
        self.dim_gate = Gate(head_dim, dim=-1)
        self.gate = Gate(heads, dim=1)
        self.proj = nn.Linear(heads * head_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Attend over all tokens of x (B, N, dim)."""
        b, n, _ = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = self.dim_gate(qkv[0]), self.dim_gate(qkv[1]), self.dim_gate(qkv[2])
        attn = torch.softmax((q * self.scale) @ k.transpose(-2, -1), dim=-1)
        y = self.gate(attn @ v)
        return self.proj(y.transpose(1, 2).reshape(b, n, self.heads * self.head_dim))


class Mlp(nn.Module):
    """Two-layer MLP with a prunable hidden layer."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.gate = Gate(hidden, dim=-1)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """fc1, GELU, gate, fc2."""
        return self.fc2(self.gate(F.gelu(self.fc1(x))))


class TransformerBlock(nn.Module):
    """Pre-norm transformer block: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, dim: int, heads: int, head_dim: int, mlp: int, scale: float | None = None) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, head_dim, scale)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, mlp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual attention then residual MLP."""
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))
