# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
NanoTrack (v2 and v3, HonglinChu/SiamTrackers) on plain torch, as a variant of the CNN family.

A MobileNetV3-small backbone (batch norm folded into the convolutions, as in the published ONNX files) runs on
the 127 px template and the 255 px search crop (stride 16); the head correlates them (point-wise correlation
with channel attention; v3 adds a depth-wise correlation of the template's centre) and runs a classification
and a box tower of depth-wise separable convolutions.

``backbone(x)`` and ``head(zf, xf) -> (cls, loc)`` are the published networks: ``cls`` (B, 2, n, n) two-class
logits, ``loc`` (B, 4, n, n) distances (left, top, right, bottom) in search-crop pixels from each cell's point
``((i - n // 2) * stride`` from the crop centre). ``forward`` converts them to this package's contract
(models/head.py): score logit ``cls[1] - cls[0]`` (its sigmoid is the published softmax), size (w, h) and the
centre's sub-cell offset as fractions of the search crop.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from light_tracker_ros.models.layers import Gate
from light_tracker_ros.models.net import TrackerNet

ACTIVATIONS = {"relu": nn.ReLU, "hswish": nn.Hardswish, "relu6": nn.ReLU6}


class SqueezeExcite(nn.Module):
    """MobileNetV3 squeeze-excite: mean pool, Linear-ReLU-Linear, hard sigmoid, channel scaling (width gated)."""

    def __init__(self, channels: int, reduced: int) -> None:
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(channels, reduced), nn.ReLU(inplace=True), Gate(reduced),
                                nn.Linear(reduced, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scale each channel of (B, C, H, W) by its excitation."""
        b, c = x.shape[:2]
        return x * F.hardsigmoid(self.fc(x.mean((2, 3)).reshape(b, c))).reshape(b, c, 1, 1)


class InvertedResidual(nn.Module):
    """
    MobileNetV3 block: 1x1 expansion (``spec['expand']``), depth-wise conv, squeeze-excite, 1x1 projection.

    The expansion width is prunable: its gate follows the depth-wise conv, so a dropped channel is zero
    before squeeze-excite and the activation (both keep zero at zero) and never reaches the projection.
    """

    def __init__(self, cin: int, spec: dict[str, Any]) -> None:
        super().__init__()
        exp, out, k, stride = spec["exp"], spec["out"], spec["kernel"], spec["stride"]
        act = ACTIVATIONS[spec["act"]]
        expand = spec.get("expand", exp != cin)
        self.expand = nn.Sequential(nn.Conv2d(cin, exp, 1), act()) if expand else None
        self.depthwise = nn.Conv2d(exp, exp, k, stride, k // 2, groups=exp)
        self.gate = Gate(exp) if expand else None
        self.se = SqueezeExcite(exp, spec["se"]) if spec.get("se") else None
        self.act = act()
        self.project = nn.Conv2d(exp, out, 1)
        self.residual = stride == 1 and cin == out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One block (the activation follows the depth-wise conv, after squeeze-excite when both exist)."""
        y = x if self.expand is None else self.expand(x)
        y = self.depthwise(y)
        if self.gate is not None:
            y = self.gate(y)
        if self.expand is None:  # MobileNetV3 without expansion: activation, then squeeze-excite
            y = self.act(y)
            y = y if self.se is None else self.se(y)
        else:
            y = self.act(y if self.se is None else self.se(y))
        y = self.project(y)
        return x + y if self.residual else y


class MobileNetV3Features(nn.Module):
    """Stem conv (stride 2, hard swish) and inverted residual blocks; ``arch`` = {stem, blocks: [...]}."""

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, arch["stem"], 3, 2, 1), nn.Hardswish())
        blocks, cin = [], arch["stem"]
        for spec in arch["blocks"]:
            blocks.append(InvertedResidual(cin, spec))
            cin = spec["out"]
        self.blocks = nn.Sequential(*blocks)
        self.out_channels = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) raw 0-255 BGR -> (B, C, H/16, W/16) with the published padding."""
        return self.blocks(self.stem(x))


class PointwiseCorrelation(nn.Module):
    """Every template cell against every search cell (1x1 convs first), then channel attention (conv SE)."""

    def __init__(self, channels: int, cells: int) -> None:
        super().__init__()
        self.kernel = nn.Conv2d(channels, channels, 1)
        self.search = nn.Conv2d(channels, channels, 1)
        self.fc1 = nn.Conv2d(cells, cells, 1)
        self.fc2 = nn.Conv2d(cells, cells, 1)

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) and (B, C, H, W) -> (B, h*w, H, W)."""
        z, x = self.kernel(zf), self.search(xf)
        b, c, h, w = x.shape
        corr = torch.matmul(z.reshape(b, c, -1).transpose(1, 2), x.reshape(b, c, -1)).reshape(b, -1, h, w)
        att = torch.sigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(corr, 1)))))
        return corr * att


class DepthwiseCorrelation(nn.Module):
    """The template's central cells as depth-wise kernels over the search map (1x1 convs first, padding 1)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.kernel = nn.Conv2d(channels, channels, 1)
        self.search = nn.Conv2d(channels, channels, 1)

    def forward(self, zc: torch.Tensor, xf: torch.Tensor) -> torch.Tensor:
        """(B, C, k, k) and (B, C, H, W) -> (B, C, H - k + 3, W - k + 3)."""
        z, x = self.kernel(zc), self.search(xf)
        b, c, h, w = x.shape
        out = F.conv2d(x.reshape(1, b * c, h, w), z.reshape(b * c, 1, z.shape[2], z.shape[3]), padding=1,
                       groups=b * c)
        return out.reshape(b, c, out.shape[2], out.shape[3])


class SeparableLayer(nn.Module):
    """
    Depth-wise 3x3 + point-wise 1x1 with ReLU6 (v3: after the depth-wise; v2: after the point-wise).

    ``gated``: the input channels (the previous layer's width) are prunable. The gate sits where a dropped
    channel is exactly zero and reaches nothing else: v3 after the depth-wise conv and its ReLU6 (the
    depth-wise conv has a bias), v2 before its bias-free depth-wise conv.
    """

    def __init__(self, cin: int, cout: int, v2: bool, gated: bool) -> None:
        super().__init__()
        self.v2 = v2
        self.dw = nn.Conv2d(cin, cin, 3, 1, 1, groups=cin, bias=not v2)
        self.gate = Gate(cin) if gated else None
        self.pw = nn.Conv2d(cin, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One layer."""
        gate = self.gate if self.gate is not None else (lambda t: t)
        if self.v2:
            return F.relu6(self.pw(self.dw(gate(x))))
        return self.pw(gate(F.relu6(self.dw(x))))


class SeparableTower(nn.Module):
    """Separable layers of the given widths; every width is prunable (the last one's gate ends the tower)."""

    def __init__(self, cin: int, widths: list[int], v2: bool) -> None:
        super().__init__()
        self.layers = nn.ModuleList(SeparableLayer(cin if k == 0 else widths[k - 1], w, v2, gated=k > 0)
                                    for k, w in enumerate(widths))
        self.gate = Gate(widths[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """All layers, then the last width's gate."""
        for layer in self.layers:
            x = layer(x)
        return self.gate(x)


def _correlation_out(cells: int) -> nn.Sequential:
    """v3's convs after the point-wise correlation: 2x2 depth-wise (n + 1 -> n cells), ReLU6, 1x1."""
    return nn.Sequential(nn.Conv2d(cells, cells, 2, groups=cells), nn.ReLU6(), nn.Conv2d(cells, cells, 1))


class NanoHead(nn.Module):
    """
    The published head; ``arch`` = {version: 2 or 3, channels, cells, cls_tower, reg_tower[, width, centre]}.

    v2: point-wise correlation, towers (their layer widths listed) on its ``cells`` channels. v3: point-wise
    correlation (then a 2x2 depth-wise conv, ReLU6, 1x1) concatenated with the depth-wise correlation of the
    template's central ``centre`` x ``centre`` cells, a 1x1 down projection to ``width``, towers.
    """

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__()
        self.version = int(arch["version"])
        c, cells = arch["channels"], arch["cells"]
        self.pw_reg = PointwiseCorrelation(c, cells)
        self.pw_cls = PointwiseCorrelation(c, cells)
        if self.version == 3:
            self.centre = int(arch["centre"])
            self.pw_reg_out = _correlation_out(cells)
            self.pw_cls_out = _correlation_out(cells)
            self.dw_reg = DepthwiseCorrelation(c)
            self.dw_cls = DepthwiseCorrelation(c)
            self.down_reg = nn.Conv2d(cells + c, arch["width"], 1)
            self.down_cls = nn.Conv2d(cells + c, arch["width"], 1)
            tower_in = arch["width"]
        else:
            tower_in = cells
        self.cls_tower = SeparableTower(tower_in, list(arch["cls_tower"]), self.version == 2)
        self.cls_logits = nn.Conv2d(arch["cls_tower"][-1], 2, 1)
        self.reg_tower = SeparableTower(tower_in, list(arch["reg_tower"]), self.version == 2)
        self.bbox_pred = nn.Conv2d(arch["reg_tower"][-1], 4, 1)

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Template (B, C, h, w) and search (B, C, H, W) features -> cls (B, 2, n, n), loc (B, 4, n, n) pixels."""
        # module calls follow the published graph's order, which the importer relies on
        if self.version == 2:
            reg, cls = self.pw_reg(zf, xf), self.pw_cls(zf, xf)
        else:
            reg = self.pw_reg_out(self.pw_reg(zf, xf))
            cls = self.pw_cls_out(self.pw_cls(zf, xf))
            lo = (zf.shape[2] - self.centre) // 2
            zc = zf[:, :, lo:lo + self.centre, lo:lo + self.centre]
            dw_reg, dw_cls = self.dw_reg(zc, xf), self.dw_cls(zc, xf)
            reg = self.down_reg(torch.cat([reg, dw_reg], 1))
            cls = self.down_cls(torch.cat([cls, dw_cls], 1))
        return self.cls_logits(self.cls_tower(cls)), torch.exp(self.bbox_pred(self.reg_tower(reg)))


class NanoTrackNet(TrackerNet):
    """NanoTrack as a CNN-family tracker: ``forward(template, search) -> (score_logits, size, offset)``."""

    family = "cnn"

    def __init__(self, arch: dict[str, Any]) -> None:
        super().__init__(arch)
        self.backbone = MobileNetV3Features(arch["backbone"])
        self.head = NanoHead(arch["head"])
        n, stride, size = arch["score_size"], arch["stride"], arch["search_size"]
        cells = torch.arange(n, dtype=torch.float32)
        # centre fraction of cell i's point: 0.5 + (i - n // 2) * stride / size; offset = n * fraction - i
        self.register_buffer("base", n * (0.5 + (cells - n // 2) * stride / size) - cells, persistent=False)

    def forward_features(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Raise: NanoTrack's head takes both feature maps, see ``forward``."""
        raise NotImplementedError("NanoTrackNet runs backbone and head directly")

    def forward(self, template: torch.Tensor, search: torch.Tensor):
        """Score logits (B,1,n,n), size (B,2,n,n) and offset (B,2,n,n) in this package's convention."""
        cls, loc = self.head(self.backbone(template), self.backbone(search))
        return convert_outputs(cls, loc, self.base, self.architecture["search_size"])


def convert_outputs(cls: torch.Tensor, loc: torch.Tensor, base: torch.Tensor, search_size: int):
    """Convert published (cls, ltrb) maps to (score logit, size, offset); ``base`` from :class:`NanoTrackNet`."""
    n = cls.shape[-1]
    left, top, right, bottom = loc.unbind(1)
    size = torch.stack([left + right, top + bottom], 1) / search_size
    ox = base.reshape(1, 1, n) + n * (right - left) / (2 * search_size)
    oy = base.reshape(1, n, 1) + n * (bottom - top) / (2 * search_size)
    return cls[:, 1:2] - cls[:, 0:1], size, torch.stack([ox, oy], 1)
