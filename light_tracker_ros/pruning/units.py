# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The unit map of a TrackerNet: for every Gate, which tensors (and which of their dims) its units index.

A *unit group* is one Gate: its ``units`` channels, heads, head dimensions or hidden units, the tensor slices
that own them (the producer's output rows, its batch-norm entries, and the consumer's input columns) and the
place of its width in the architecture dict. A sliced dim is laid out in mixed radix (``layout``, slowest
digit first; the q/k/v rows of attention are ``(3, heads, head_dim)``) and each gate owns one digit, so a
head gate and a head-dimension gate can share a dim. Residual-stream widths are never gated, so no coupling
crosses a residual addition. Kept parameter counts are products of kept digit sizes: a closed form.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import torch
from torch import nn

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.models.backbone import ResNetBackbone, StemConv
from light_tracker_ros.models.head import CenterHead
from light_tracker_ros.models.layers import BasicBlock, Bottleneck, Gate
from light_tracker_ros.models.nanotrack import NanoTrackNet
from light_tracker_ros.models.net import PatchEmbed, SiameseCNN, TokenFusion
from light_tracker_ros.models.vittrack import VitTrackNet

BN_KEYS = ("weight", "bias", "running_mean", "running_var")
KINDS = ("conv", "trunk", "heads", "head_dims", "mlp")


@dataclass(frozen=True)
class TensorSlice:
    """
    Dim ``dim`` of state-dict tensor ``name``, laid out as ``layout``; the gate's units are digit ``digit``.

    ``fold`` marks where a gate's mask values can be multiplied in exactly (a consumer's input columns, or
    the q/k/v rows for head dimensions) before slicing.
    """

    name: str
    dim: int
    layout: tuple[int, ...]
    digit: int = 0
    fold: bool = False

    def factor(self, mask: torch.Tensor) -> torch.Tensor:
        """One multiplier per index along ``dim``: the mask value of the unit that owns the index."""
        shape = [1] * len(self.layout)
        shape[self.digit] = -1
        return (torch.ones(self.layout, dtype=mask.dtype) * mask.view(shape)).flatten()


def dim_indices(layout: Sequence[int], kept: Mapping[int, Sequence[int]]) -> torch.Tensor:
    """Return the indices along a ``layout`` dim that survive when digit ``d`` keeps ``kept[d]`` (else all)."""
    index = torch.zeros(1, dtype=torch.long)
    for digit, size in enumerate(layout):
        values = torch.as_tensor(list(kept.get(digit, range(size))), dtype=torch.long)
        index = (index[:, None] * size + values[None, :]).flatten()
    return index


def channels(name: str, dim: int, n: int, fold: bool = False) -> TensorSlice:
    """Make a plain channel slice: one index per unit."""
    return TensorSlice(name, dim, (n,), 0, fold)


@dataclass(frozen=True)
class UnitGroup:
    """The units of one Gate: module path ``name``, ``kind`` (one of KINDS), tensor slices, arch-dict path."""

    name: str
    kind: str
    units: int
    slices: tuple[TensorSlice, ...]
    arch_path: tuple[Any, ...]


def _conv_out(model_prefix: str, n: int) -> list[TensorSlice]:
    """Output channels of a conv_bn Sequential: conv rows and batch-norm entries."""
    return ([channels(f"{model_prefix}.0.weight", 0, n)]
            + [channels(f"{model_prefix}.1.{key}", 0, n) for key in BN_KEYS])


def _reads(name: str, n: int) -> TensorSlice:
    """Input columns of a consumer conv or linear (masks fold here)."""
    return channels(name, 1, n, fold=True)


def _stem_groups(prefix: str, stems: list[tuple[int, StemConv]], arch_of: Callable[[int], tuple],
                 after: list[str]) -> list[UnitGroup]:
    """Gated StemConvs in a row; each one's consumer is the next StemConv, the last one's are ``after``."""
    groups = []
    for pos, (index, stem) in enumerate(stems):
        if stem.gate is None:
            continue
        n = stem.gate.units
        if pos + 1 < len(stems):
            readers = [f"{prefix}.{stems[pos + 1][0]}.conv.0.weight"]
        elif after:
            readers = after
        else:
            raise ModelFileError(f"{prefix}.{index} is a gated stem conv whose output feeds a residual addition; "
                                 "only internal stem widths can be gated")
        groups.append(UnitGroup(f"{prefix}.{index}.gate", "conv", n, tuple(
            _conv_out(f"{prefix}.{index}.conv", n) + [_reads(r, n) for r in readers]), arch_of(index)))
    return groups


def _resnet(prefix: str, mod: ResNetBackbone, root: tuple) -> list[UnitGroup]:
    stems = [(i, m) for i, m in enumerate(mod.stem) if isinstance(m, StemConv)]
    first = f"{prefix}.stages.0.0"
    after = [f"{first}.conv1.0.weight", f"{first}.down.0.weight"] if mod.stages[0][0].down is not None else []
    groups = _stem_groups(f"{prefix}.stem", stems, lambda i: root + ("stem", i, "out"), after)
    for s, stage in enumerate(mod.stages):
        for b, block in enumerate(stage):
            p = f"{prefix}.stages.{s}.{b}"
            path = root + ("stages", s, "mids", b)
            if isinstance(block, BasicBlock):
                n = block.gate.units
                groups.append(UnitGroup(f"{p}.gate", "conv", n, tuple(
                    _conv_out(f"{p}.conv1", n) + [_reads(f"{p}.conv2.0.weight", n)]), path))
            elif isinstance(block, Bottleneck):
                for k, (gate, conv, nxt) in enumerate(((block.gate1, "conv1", "conv2"),
                                                       (block.gate2, "conv2", "conv3"))):
                    n = gate.units
                    groups.append(UnitGroup(f"{p}.gate{k + 1}", "conv", n, tuple(
                        _conv_out(f"{p}.{conv}", n) + [_reads(f"{p}.{nxt}.0.weight", n)]), path + (k,)))
    return groups


def _patch_embed(prefix: str, mod: PatchEmbed, root: tuple) -> list[UnitGroup]:
    stems = [(i, m) for i, m in enumerate(mod.layers) if isinstance(m, StemConv)]
    after = [f"{prefix}.layers.{len(mod.layers) - 1}.weight"]
    return _stem_groups(f"{prefix}.layers", stems, lambda i: root + ("channels", i), after)


def _fusion(prefix: str, mod: TokenFusion, root: tuple) -> list[UnitGroup]:
    return _blocks(f"{prefix}.blocks", mod.blocks, root)


def _blocks(prefix: str, blocks: nn.Sequential, root: tuple) -> list[UnitGroup]:
    """Attention heads, head dimensions and MLP units of transformer blocks ``prefix.<b>`` (arch ``blocks``)."""
    groups = []
    for b, block in enumerate(blocks):
        p = f"{prefix}.{b}"
        attn, mlp = block.attn, block.mlp
        h, d = attn.heads, attn.head_dim
        rows, cols = (3, h, d), (h, d)
        qkv = (f"{p}.attn.qkv.weight", f"{p}.attn.qkv.bias")
        groups.append(UnitGroup(f"{p}.attn.gate", "heads", h, tuple(
            [TensorSlice(t, 0, rows, 1) for t in qkv] + [TensorSlice(f"{p}.attn.proj.weight", 1, cols, 0, True)]),
            root + ("blocks", b, "heads")))
        groups.append(UnitGroup(f"{p}.attn.dim_gate", "head_dims", d, tuple(
            [TensorSlice(t, 0, rows, 2, True) for t in qkv] + [TensorSlice(f"{p}.attn.proj.weight", 1, cols, 1)]),
            root + ("blocks", b, "head_dim")))
        n = mlp.gate.units
        groups.append(UnitGroup(f"{p}.mlp.gate", "mlp", n, (
            channels(f"{p}.mlp.fc1.weight", 0, n), channels(f"{p}.mlp.fc1.bias", 0, n),
            _reads(f"{p}.mlp.fc2.weight", n)), root + ("blocks", b, "mlp")))
    return groups


def _head(prefix: str, mod: CenterHead, root: tuple) -> list[UnitGroup]:
    """Map the gated trunk widths; a gate's consumer is the next trunk conv, or the score/size/offset convs."""
    convs = [i for i, m in enumerate(mod.trunk) if isinstance(m, nn.Sequential)]
    groups = []
    for k, c in enumerate(convs):
        g = c + 2
        if g >= len(mod.trunk) or not isinstance(mod.trunk[g], Gate):
            continue
        n = mod.trunk[g].units
        if k + 1 < len(convs):
            readers = [f"{prefix}.trunk.{convs[k + 1]}.0.weight"]
        else:
            readers = [f"{prefix}.{out}.weight" for out in ("score", "size", "offset")]
        groups.append(UnitGroup(f"{prefix}.trunk.{g}", "trunk", n, tuple(
            _conv_out(f"{prefix}.trunk.{c}", n) + [_reads(r, n) for r in readers]), root + ("channels", k)))
    return groups


def _siamese(prefix: str, mod: SiameseCNN, root: tuple) -> list[UnitGroup]:
    """Map the correlation width: rows of both 1x1 adjust convs (channel c of one correlates with c of the other)."""
    n = mod.fusion_gate.units
    first_head_conv = next(i for i, m in enumerate(mod.head.trunk) if isinstance(m, nn.Sequential))
    return [UnitGroup("fusion_gate", "conv", n, tuple(
        _conv_out("adjust_template", n) + _conv_out("adjust_search", n)
        + [_reads(f"head.trunk.{first_head_conv}.0.weight", n)]), root + ("fusion", "channels"))]


def _with_bias(name: str, n: int, fold: bool = False) -> list[TensorSlice]:
    """Output rows of a conv or linear ``name`` (weight and bias)."""
    return [channels(f"{name}.weight", 0, n, fold), channels(f"{name}.bias", 0, n, fold)]


def _nanotrack(prefix: str, mod: NanoTrackNet, root: tuple) -> list[UnitGroup]:
    """
    Map NanoTrack: inverted-residual expansions, squeeze-excite widths, and every head tower width.

    An expansion's gate follows the depth-wise conv (masks fold into its rows); squeeze-excite's follows its
    ReLU (fold into the second linear's columns); a tower width's gate is on the next layer's input (v3 after
    its depth-wise conv + ReLU6: fold into the point-wise columns; v2 before its bias-free depth-wise conv:
    fold into its rows) or, for the last width, at the tower's end (fold into the output conv's columns).
    """
    groups = []
    for i, block in enumerate(mod.backbone.blocks):
        p = f"backbone.blocks.{i}"
        path = root + ("backbone", "blocks", i)
        if block.gate is not None:
            n = block.gate.units
            slices = _with_bias(f"{p}.expand.0", n) + _with_bias(f"{p}.depthwise", n, fold=True)
            slices.append(channels(f"{p}.project.weight", 1, n))
            if block.se is not None:  # squeeze-excite reads and rescales every expanded channel
                slices += [channels(f"{p}.se.fc.0.weight", 1, n)] + _with_bias(f"{p}.se.fc.3", n)
            groups.append(UnitGroup(f"{p}.gate", "conv", n, tuple(slices), path + ("exp",)))
        if block.se is not None:
            n = block.se.fc[2].units
            groups.append(UnitGroup(f"{p}.se.fc.2", "conv", n, tuple(
                _with_bias(f"{p}.se.fc.0", n) + [_reads(f"{p}.se.fc.3.weight", n)]), path + ("se",)))
    head = mod.head
    for tower, out in (("cls_tower", "cls_logits"), ("reg_tower", "bbox_pred")):
        layers = getattr(head, tower).layers
        for k, layer in enumerate(layers):
            p, n = f"head.{tower}.layers.{k}", layer.pw.out_channels
            slices = _with_bias(f"{p}.pw", n)
            if k + 1 < len(layers):
                q = f"head.{tower}.layers.{k + 1}"
                if head.version == 2:
                    slices += [channels(f"{q}.dw.weight", 0, n, fold=True), channels(f"{q}.pw.weight", 1, n)]
                else:
                    slices += _with_bias(f"{q}.dw", n) + [_reads(f"{q}.pw.weight", n)]
                gate = f"{q}.gate"
            else:
                slices.append(_reads(f"head.{out}.weight", n))
                gate = f"head.{tower}.gate"
            groups.append(UnitGroup(gate, "trunk", n, tuple(slices), root + ("head", tower, k)))
    return groups


def _gated_convs(prefix: str, seq: nn.Sequential, readers_after: list[str], path: tuple,
                 kind: str) -> list[UnitGroup]:
    """Conv, activation, Gate runs in ``seq``: each gate's units are its conv's rows, read by the next conv."""
    convs = [i for i, m in enumerate(seq) if isinstance(m, nn.Conv2d)]
    groups = []
    for k, c in enumerate(convs):
        g = c + 2
        if g >= len(seq) or not isinstance(seq[g], Gate):
            continue
        n = seq[g].units
        readers = [f"{prefix}.{convs[k + 1]}.weight"] if k + 1 < len(convs) else readers_after
        groups.append(UnitGroup(f"{prefix}.{g}", kind, n, tuple(
            _with_bias(f"{prefix}.{c}", n) + [_reads(r, n) for r in readers]), path + (k,)))
    return groups


def _vittrack(prefix: str, mod: VitTrackNet, root: tuple) -> list[UnitGroup]:
    """Map VitTrack: the stem's inner widths, attention heads/head dims/MLP units, the three towers' widths."""
    groups = _gated_convs("embed", mod.embed, [], root + ("embed", "channels"), "conv")
    groups += _blocks("blocks", mod.blocks, root)
    for tower in ("ctr", "offset", "size"):
        groups += _gated_convs(f"{tower}_tower", getattr(mod, f"{tower}_tower"), [f"{tower}.weight"],
                               root + ("head", tower), "trunk")
    return groups


# Per-module rules (the Torch-Pruning habit of a slicer registry); arch roots say where each part's widths live.
RULES: dict[type, Callable[[str, Any, tuple], list[UnitGroup]]] = {
    ResNetBackbone: _resnet, PatchEmbed: _patch_embed, TokenFusion: _fusion, CenterHead: _head, SiameseCNN: _siamese,
    NanoTrackNet: _nanotrack, VitTrackNet: _vittrack}
ARCH_ROOTS: dict[str, tuple] = {"": (), "backbone": ("backbone",), "embed": ("embed",), "fusion": (),
                                "head": ("head",)}


class UnitMap:
    """All unit groups of a model with the shapes of the tensors they slice, and closed-form parameter counts."""

    def __init__(self, groups: list[UnitGroup], shapes: Mapping[str, tuple[int, ...]], param_names: set[str],
                 total_params: int) -> None:
        self.groups = groups
        self.by_name = {g.name: g for g in groups}
        self.shapes = dict(shapes)
        self.total_params = total_params
        # tensor -> dim -> (layout, {digit: group name})
        self.dims: dict[str, dict[int, tuple[tuple[int, ...], dict[int, str]]]] = {}
        for g in groups:
            for s in g.slices:
                self._claim(g.name, s)
        self.params = {n: d for n, d in self.dims.items() if n in param_names}
        self.prunable_params = sum(_numel(self.shapes[n]) for n in self.params)
        self.rest_params = total_params - self.prunable_params
        self._by_group: dict[str, list[str]] = {g.name: [] for g in groups}
        for name, per_dim in self.params.items():
            for _, owners in per_dim.values():
                for gname in owners.values():
                    self._by_group[gname].append(name)

    def _claim(self, group: str, s: TensorSlice) -> None:
        if s.name not in self.shapes:
            raise ModelFileError(f"unit map: tensor '{s.name}' of gate {group} is not in the model")
        if _numel(s.layout) != self.shapes[s.name][s.dim]:
            raise ModelFileError(f"unit map: layout {s.layout} of '{s.name}' dim {s.dim} does not match its "
                                 f"shape {self.shapes[s.name]}")
        layout, owners = self.dims.setdefault(s.name, {}).setdefault(s.dim, (s.layout, {}))
        if layout != s.layout or s.digit in owners:
            raise ModelFileError(f"unit map: dim {s.dim} of '{s.name}' is claimed twice (gates "
                                 f"{owners.get(s.digit)} and {group})")
        owners[s.digit] = group

    def full_counts(self) -> dict[str, int]:
        """Every group at its full width."""
        return {g.name: g.units for g in self.groups}

    def _tensor_params(self, name: str, counts: Mapping[str, int]) -> int:
        shape = list(self.shapes[name])
        for dim, (layout, owners) in self.params[name].items():
            shape[dim] = _numel([counts[owners[d]] if d in owners else size for d, size in enumerate(layout)])
        return _numel(shape)

    def kept_params(self, counts: Mapping[str, int]) -> int:
        """Prunable parameters left when group ``g`` keeps ``counts[g]`` units (closed form, any indices)."""
        return sum(self._tensor_params(n, counts) for n in self.params)

    def group_params(self, name: str, counts: Mapping[str, int]) -> int:
        """Parameters in the tensors touched by group ``name`` at ``counts`` (for marginal costs)."""
        return sum(self._tensor_params(n, counts) for n in self._by_group[name])

    def unit_cost(self, name: str, counts: dict[str, int], step: int = -1) -> int:
        """Parameters removed (``step=-1``) or added (``step=+1``, negated) by one unit of group ``name``."""
        before = self.group_params(name, counts)
        counts[name] += step
        after = self.group_params(name, counts)
        counts[name] -= step
        return before - after


def _numel(shape: Sequence[int]) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def build_unit_map(model: nn.Module) -> UnitMap:
    """Build the unit map of a TrackerNet; raise ModelFileError if a Gate is not covered by any rule."""
    groups: list[UnitGroup] = []
    for name, module in model.named_modules():
        rule = RULES.get(type(module))
        if rule is None:
            continue
        top = name.split(".")[0]
        if top not in ARCH_ROOTS:
            raise ModelFileError(f"unit map: module '{name}' is under '{top}', which has no architecture root; "
                                 f"known: {sorted(ARCH_ROOTS)}")
        groups.extend(rule(name, module, ARCH_ROOTS[top]))
    gates = {n for n, m in model.named_modules() if isinstance(m, Gate)}
    unmapped = sorted(gates - {g.name for g in groups})
    if unmapped:
        raise ModelFileError(f"gates {unmapped} are not in the unit map; add a rule for their module in "
                             "light_tracker_ros/pruning/units.py")
    state = model.state_dict()
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    params = {n: p for n, p in model.named_parameters() if not n.endswith(".mask")}
    return UnitMap(groups, shapes, set(params), sum(p.numel() for p in params.values()))


def prunable_param_count(model: nn.Module) -> int:
    """Parameters in tensors that any gate slices (producer rows, batch-norm entries, consumer columns)."""
    return build_unit_map(model).prunable_params
