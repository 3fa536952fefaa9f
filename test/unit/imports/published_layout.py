# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Test helper: export a NanoTrack network in the published layout (backbone file + head file, legacy exporter)."""
from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import torch
from torch import nn

from light_tracker_ros.models.nanotrack import NanoTrackNet
from light_tracker_ros.models.vittrack import VitTrackNet


class _Head(nn.Module):

    def __init__(self, net: NanoTrackNet) -> None:
        super().__init__()
        self.head = net.head

    def forward(self, zf: torch.Tensor, xf: torch.Tensor):
        return self.head(zf, xf)


def export_published(net: NanoTrackNet, folder: Path) -> tuple[Path, Path]:
    """Write ``backbone.onnx`` (input 'input' 255 px, output 'output') and ``head.onnx`` as the authors did."""
    net = net.eval()
    arch = net.architecture
    backbone, head = folder / "backbone.onnx", folder / "head.onnx"
    search = torch.rand(1, 3, arch["search_size"], arch["search_size"]) * 255
    with torch.no_grad():
        zf = net.backbone(torch.rand(1, 3, arch["template_size"], arch["template_size"]) * 255)
        xf = net.backbone(search)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(net.backbone, (search,), str(backbone), dynamo=False, opset_version=14,
                          input_names=["input"], output_names=["output"])
        torch.onnx.export(_Head(net), (zf, xf), str(head), dynamo=False, opset_version=14,
                          input_names=["input1", "input2"], output_names=["output1", "output2"])
    return backbone, head


class _VitTrackPublished(VitTrackNet):
    """VitTrack whose forward is the published one (same parameter names as the network)."""

    def forward(self, template: torch.Tensor, search: torch.Tensor):
        return self.published_forward(template, search)


def export_vittrack_published(net: VitTrackNet, path: Path) -> Path:
    """Write ``path`` like object_tracking_vittrack_2023sep.onnx: inputs template/search, outputs output1..3."""
    published = _VitTrackPublished(net.architecture)
    published.load_state_dict(net.state_dict())
    inputs = (torch.randn(1, 3, 128, 128), torch.randn(1, 3, 256, 256))
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(published.eval(), inputs, str(path), dynamo=False, opset_version=14,
                          input_names=["template", "search"], output_names=["output1", "output2", "output3"])
    return path
