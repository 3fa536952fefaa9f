# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Run a shared (Siamese) feature extractor on template and search in lockstep, with joint batch norm.

Running the template and the search through a batch-norm network one after the other gives each its own
batch statistics in training, while the running statistics used at inference blend both: the network then
sees differently normalised features at inference than in training. In lockstep, every batch-norm
layer normalises template and search with the statistics of both together, exactly as the running
statistics will at inference. The module structure, parameter names and ONNX graphs are unchanged.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from light_tracker_ros.models.backbone import ResNetBackbone, StemConv
from light_tracker_ros.models.layers import BasicBlock, Bottleneck

Pair = list[torch.Tensor]


def joint_batch_norm(bn: nn.BatchNorm2d, xs: Pair) -> Pair:
    """Normalise each tensor with statistics over all of them (training), or with running statistics."""
    if not bn.training:
        return [bn(x) for x in xs]
    flat = torch.cat([x.transpose(0, 1).reshape(x.shape[1], -1) for x in xs], dim=1)
    mean = flat.mean(dim=1)
    var = flat.var(dim=1, unbiased=False)
    with torch.no_grad():
        n = flat.shape[1]
        momentum = bn.momentum if bn.momentum is not None else 0.1
        bn.running_mean.mul_(1 - momentum).add_(momentum * mean)
        bn.running_var.mul_(1 - momentum).add_(momentum * var * n / max(n - 1, 1))
        bn.num_batches_tracked.add_(1)
    scale = bn.weight / torch.sqrt(var + bn.eps)
    shift = bn.bias - mean * scale
    return [x * scale.view(1, -1, 1, 1) + shift.view(1, -1, 1, 1) for x in xs]


def pair_forward(module: nn.Module, xs: Pair) -> Pair:
    """Apply ``module`` to every tensor of ``xs``, sharing batch-norm statistics across them."""
    if isinstance(module, nn.BatchNorm2d):
        return joint_batch_norm(module, xs)
    if isinstance(module, nn.Sequential):
        for child in module:
            xs = pair_forward(child, xs)
        return xs
    if isinstance(module, ResNetBackbone):
        return pair_forward(module.stages, pair_forward(module.stem, xs))
    if isinstance(module, StemConv):
        xs = [F.relu(x) for x in pair_forward(module.conv, xs)]
        return xs if module.gate is None else [module.gate(x) for x in xs]
    if isinstance(module, BasicBlock):
        skips = xs if module.down is None else pair_forward(module.down, xs)
        ys = [module.gate(F.relu(y)) for y in pair_forward(module.conv1, xs)]
        return [F.relu(y + s) for y, s in zip(pair_forward(module.conv2, ys), skips)]
    if isinstance(module, Bottleneck):
        skips = xs if module.down is None else pair_forward(module.down, xs)
        ys = [module.gate1(F.relu(y)) for y in pair_forward(module.conv1, xs)]
        ys = [module.gate2(F.relu(y)) for y in pair_forward(module.conv2, ys)]
        return [F.relu(y + s) for y, s in zip(pair_forward(module.conv3, ys), skips)]
    return [module(x) for x in xs]
