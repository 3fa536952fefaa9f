# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Import published ONNX trackers (NanoTrack v2/v3: backbone + head files; VitTrack: one file) as our models.

The published graphs are read, not run: the weights of each Conv and Gemm (VitTrack: MatMul + Add) node, in
graph order, fill the convolutions and linears of the matching torch network (models/nanotrack.py,
models/vittrack.py) in the order its forward pass first calls them, shape by shape; VitTrack's named
initializers (position embeddings, layer norms, biases) are matched by name. The network is then exported as
one ONNX file with this package's inputs and outputs and a card carrying input sizes, normalisation, crop
factors, the authors' decoding (window influence, scale/ratio penalty, size learning rate) and provenance.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn

from light_tracker_ros.core.errors import ModelFileError
from light_tracker_ros.core.model_card import ModelCard, file_sha256
from light_tracker_ros.models.export import export_onnx
from light_tracker_ros.models.nanotrack import NanoTrackNet, convert_outputs
from light_tracker_ros.models.net import build_model
from light_tracker_ros.models.registry import architecture

#: the authors' tracking settings (NanoTrack/models/config/configv{2,3}.yaml: TRACK.*)
NANOTRACK_DECODING: dict[int, dict[str, Any]] = {
    3: {"style": "siamese", "context_amount": 0.5, "window": "hanning", "window_influence": 0.455,
        "penalty_k": 0.138, "size_lr": 0.348, "min_size": 10.0},
    2: {"style": "siamese", "context_amount": 0.5, "window": "hanning", "window_influence": 0.490,
        "penalty_k": 0.150, "size_lr": 0.385, "min_size": 10.0},
}
NANOTRACK_FILES = {3: ("NanoTrack/models/nanotrackv3/nanotrack_backbone.onnx",
                       "NanoTrack/models/nanotrackv3/nanotrack_head.onnx"),
                   2: ("NanoTrack/models/nanotrackv2/nanotrack_backbone_sim.onnx",
                       "NanoTrack/models/nanotrackv2/nanotrack_head_sim.onnx")}
#: SHA-256 of the published files this importer was checked against (issue 9)
KNOWN_SHA256 = {
    "50be1320abf9384fd3479ea829f95e244cf3f3838190c5ab60c750fb8c1ce828": "nanotrack v3 backbone",
    "75357903be3f4817c965af16cb5a11fd32b1467f597a408405a98635ac63f61d": "nanotrack v3 head",
    "530bdd0cd00f19afab79a863e71ba71e3312395a5dc9151af675082bdaaa2fc4": "nanotrack v2 backbone",
    "0d8c0637be849f092cc7236cae02e55c8b9455ebe37ba50601d6115db4247cd9": "nanotrack v2 head",
    "2990f0b7cd44d92afa48cd97db6de7be113fc1d9594fddb74e2725c10478e91d": "vittrack 2023sep",
}
VITTRACK_FILE = "model/vit/object_tracking_vittrack_2023sep.onnx"
#: cv2.TrackerVit's decoding: score map times a full Hanning window, size taken as predicted
VITTRACK_DECODING = {"style": "center", "window_influence": 1.0, "size_lr": 1.0}


def published_weights(path: str | Path) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """
    (node name, weight, bias or None) of every Conv and Gemm node with constant weights, in graph order.

    Gemm weights are returned as (out, in), whatever ``transB`` says.

    :raises ModelFileError: the file is not a readable ONNX model.
    """
    try:
        graph = onnx.load(str(path)).graph
    except Exception as exc:  # noqa: BLE001 - protobuf errors vary
        raise ModelFileError(f"{Path(path).name} is not a readable ONNX model: {exc}") from exc
    consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    found = []
    for node in graph.node:
        if node.op_type not in ("Conv", "Gemm") or node.input[1] not in consts:
            continue
        weight = consts[node.input[1]].astype(np.float32)
        bias = consts[node.input[2]].astype(np.float32) if len(node.input) > 2 and node.input[2] else None
        if node.op_type == "Gemm":
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            weight = weight if attrs.get("transB", 0) else weight.T
        found.append((node.name or node.output[0], weight, bias))
    return found


def call_order(model: NanoTrackNet) -> list[tuple[str, nn.Module]]:
    """Convolutions and linears of ``model`` in the order the published backbone and head graphs use them."""
    names = {mod: name for name, mod in model.named_modules()}
    order: list[tuple[str, nn.Module]] = []
    hooks = [mod.register_forward_hook(lambda mod, _i, _o: order.append((names[mod], mod)))
             for mod in model.modules() if isinstance(mod, (nn.Conv2d, nn.Linear))]
    arch = model.architecture
    with torch.no_grad():
        xf = model.backbone(torch.zeros(1, 3, arch["search_size"], arch["search_size"]))
        n_backbone = len(order)
        zf = model.backbone(torch.zeros(1, 3, arch["template_size"], arch["template_size"]))
        del order[n_backbone:]
        model.head(zf, xf)
    for hook in hooks:
        hook.remove()
    return order


def load_published(model: NanoTrackNet, files: list[str | Path]) -> NanoTrackNet:
    """
    Fill ``model`` with the weights of the published ``files`` (backbone, then head), matched in call order.

    :raises ModelFileError: the files hold a different number of layers or a layer of another shape.
    """
    weights = [w for path in files for w in published_weights(path)]
    order = call_order(model)
    if len(weights) != len(order):
        raise ModelFileError(f"{', '.join(Path(f).name for f in files)}: {len(weights)} weighted layers, the "
                             f"{model.architecture.get('variant')} network has {len(order)}")
    with torch.no_grad():
        for (node, weight, bias), (name, mod) in zip(weights, order):
            if tuple(weight.shape) != tuple(mod.weight.shape) or (bias is None) != (mod.bias is None):
                raise ModelFileError(f"published node {node} (weight {weight.shape}, bias "
                                     f"{'none' if bias is None else bias.shape}) does not fit layer {name} "
                                     f"(weight {tuple(mod.weight.shape)})")
            mod.weight.copy_(torch.from_numpy(weight))
            if bias is not None:
                mod.bias.copy_(torch.from_numpy(bias))
    return model.eval()


def nanotrack_card_fields(version: int, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Card fields of an imported NanoTrack: crop factors, raw-BGR normalisation, decoding and provenance."""
    arch = architecture(f"nanotrack_v{version}")
    return {"template_factor": 1.0, "search_factor": arch["search_size"] / arch["template_size"],
            "mean": (0.0, 0.0, 0.0), "std": (1.0 / 255.0,) * 3, "channel_order": "bgr",
            "decoding": dict(NANOTRACK_DECODING[version]), "licence": "Apache-2.0",
            "training": {"imported": True, "sources": sources,
                         "notes": "weights read from the published ONNX initializers; not trained here"}}


def source_record(path: str | Path, repository: str | None = None, repo_path: str | None = None,
                  commit: str | None = None) -> dict[str, Any]:
    """Provenance of one published file: repository, path in it, commit, SHA-256, licence."""
    digest = file_sha256(path)
    return {"repository": repository, "path": repo_path or Path(path).name, "commit": commit, "sha256": digest,
            "known": KNOWN_SHA256.get(digest, "unknown file"), "licence": "Apache-2.0"}


def import_nanotrack(version: int, backbone: str | Path, head: str | Path, out_dir: str | Path, name: str,
                     repository: str | None = None, commit: str | None = None) -> ModelCard:
    """Import NanoTrack ``version`` (2 or 3) from its published backbone and head files; return the card."""
    if version not in NANOTRACK_DECODING:
        raise ModelFileError(f"NanoTrack version must be one of {sorted(NANOTRACK_DECODING)}, got {version!r}")
    for path in (backbone, head):
        if not Path(path).is_file():
            raise ModelFileError(f"published file {path} does not exist")
    model = load_published(build_model(architecture(f"nanotrack_v{version}")), [backbone, head])
    repo_paths = NANOTRACK_FILES[version] if repository else (None, None)
    sources = [source_record(p, repository, rp, commit) for p, rp in zip((backbone, head), repo_paths)]
    return export_onnx(model, out_dir, name, **nanotrack_card_fields(version, sources))


def relaxed_session(path: str | Path, threads: int = 1):
    """Open a published file in ONNX Runtime with its spatial sizes made free (template and search crops)."""
    import onnxruntime as ort

    proto = onnx.load(str(path))
    del proto.graph.value_info[:]  # recorded intermediate shapes of the fixed input size
    for value in list(proto.graph.input) + list(proto.graph.output):
        dims = value.type.tensor_type.shape.dim
        for k in (2, 3):
            if len(dims) == 4:
                dims[k].dim_param = f"{value.name}_{k}"
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])


def published_outputs(backbone, head, template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the published backbone session on both crops (raw BGR, 1x3xHxW) and the head on the features."""
    name = backbone.get_inputs()[0].name
    zf = backbone.run(None, {name: template})[0]
    xf = backbone.run(None, {name: search})[0]
    inputs = [i.name for i in head.get_inputs()]
    cls, loc = head.run(None, {inputs[0]: zf, inputs[1]: xf})
    return cls, loc


def to_package_outputs(cls: np.ndarray, loc: np.ndarray, arch: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Convert published (cls, loc) maps into (score logit, size, offset), as the imported network does."""
    model_base = NanoTrackNet(arch).base
    out = convert_outputs(torch.from_numpy(cls), torch.from_numpy(loc), model_base, arch["search_size"])
    return tuple(o.numpy() for o in out)


def max_output_error(ours: str | Path, backbone: str | Path, head: str | Path, seed: int = 0) -> float:
    """Largest absolute difference between our ONNX and the converted published outputs on random crops."""
    import onnxruntime as ort

    card = ModelCard.load(Path(ours).with_suffix(".json"))
    rng = np.random.default_rng(seed)
    template = rng.uniform(0, 255, (1, 3, card.template_size, card.template_size)).astype(np.float32)
    search = rng.uniform(0, 255, (1, 3, card.search_size, card.search_size)).astype(np.float32)
    session = ort.InferenceSession(str(ours), providers=["CPUExecutionProvider"])
    mine = session.run(None, {"template": template, "search": search})
    cls, loc = published_outputs(relaxed_session(backbone), relaxed_session(head), template, search)
    theirs = to_package_outputs(cls, loc, card.architecture)
    return float(max(np.abs(a - b).max() for a, b in zip(mine, theirs)))


def _first_calls(model: nn.Module, run: Any) -> list[tuple[str, nn.Module]]:
    """Convolutions and linears of ``model`` in the order ``run()`` first calls them (shared ones once)."""
    names = {mod: name for name, mod in model.named_modules()}
    order: dict[nn.Module, str] = {}

    def record(mod: nn.Module, _inputs: Any, _output: Any) -> None:
        order.setdefault(mod, names[mod])

    hooks = [mod.register_forward_hook(record) for mod in model.modules() if isinstance(mod, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        run()
    for hook in hooks:
        hook.remove()
    return [(name, mod) for mod, name in order.items()]


def load_vittrack(model: nn.Module, path: str | Path) -> nn.Module:
    """
    Fill a VitTrack network from the published file: named initializers by name, convs and linears in order.

    :raises ModelFileError: the file is unreadable, holds other layers, or leaves a parameter unfilled.
    """
    try:
        graph = onnx.load(str(path)).graph
    except Exception as exc:  # noqa: BLE001 - protobuf errors vary
        raise ModelFileError(f"{Path(path).name} is not a readable ONNX model: {exc}") from exc
    consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    convs, linears, seen = [], [], set()
    for node in graph.node:
        if node.op_type == "Conv" and node.input[1] in consts and node.input[1] not in seen:
            seen.add(node.input[1])
            bias = consts[node.input[2]] if len(node.input) > 2 and node.input[2] else None
            convs.append((node.input[1], consts[node.input[1]], bias))
        elif node.op_type == "MatMul" and node.input[1] in consts:
            adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
            bias = next((consts[i] for n in adds for i in n.input if i in consts), None)
            linears.append((node.input[1], consts[node.input[1]].T, bias))
    arch = model.architecture
    calls = _first_calls(model, lambda: model(torch.zeros(1, 3, arch["template_size"], arch["template_size"]),
                                              torch.zeros(1, 3, arch["search_size"], arch["search_size"])))
    conv_mods = [(n, m) for n, m in calls if isinstance(m, nn.Conv2d)]
    linear_mods = [(n, m) for n, m in calls if isinstance(m, nn.Linear)]
    if (len(convs), len(linears)) != (len(conv_mods), len(linear_mods)):
        raise ModelFileError(f"{Path(path).name}: {len(convs)} convolutions and {len(linears)} linears, the "
                             f"{arch.get('variant')} network has {len(conv_mods)} and {len(linear_mods)}")
    params = dict(model.named_parameters())
    filled = set()
    with torch.no_grad():
        for name, value in consts.items():
            if name in params and tuple(params[name].shape) == value.shape:
                params[name].copy_(torch.from_numpy(value.astype(np.float32)))
                filled.add(name)
        for (node, weight, bias), (name, mod) in zip(convs + linears, conv_mods + linear_mods):
            if tuple(weight.shape) != tuple(mod.weight.shape) or (bias is None) != (mod.bias is None):
                raise ModelFileError(f"published weight {node} {weight.shape} does not fit layer {name} "
                                     f"{tuple(mod.weight.shape)}")
            mod.weight.copy_(torch.from_numpy(np.array(weight, np.float32)))
            filled.add(f"{name}.weight")
            if bias is not None:
                mod.bias.copy_(torch.from_numpy(bias.astype(np.float32)))
                filled.add(f"{name}.bias")
    unfilled = sorted(set(params) - filled)
    if unfilled:
        raise ModelFileError(f"{Path(path).name} leaves {len(unfilled)} parameters unfilled (first: {unfilled[:3]})")
    return model.eval()


def import_vittrack(path: str | Path, out_dir: str | Path, name: str, repository: str | None = None,
                    commit: str | None = None) -> ModelCard:
    """Import VitTrack from its published file (OpenCV Zoo / cv2.TrackerVit); return the card."""
    if not Path(path).is_file():
        raise ModelFileError(f"published file {path} does not exist")
    model = load_vittrack(build_model(architecture("vittrack")), path)
    source = source_record(path, repository, VITTRACK_FILE if repository else None, commit)
    fields = {"template_factor": 2.0, "search_factor": 4.0, "mean": (0.485, 0.456, 0.406),
              "std": (0.229, 0.224, 0.225), "channel_order": "bgr", "decoding": dict(VITTRACK_DECODING),
              "licence": "Apache-2.0",
              "training": {"imported": True, "sources": [source],
                           "notes": "weights read from the published ONNX initializers; not trained here; "
                                    "BGR input as cv2.TrackerVit feeds it"}}
    return export_onnx(model, out_dir, name, **fields)


def vittrack_output_error(ours: str | Path, published: str | Path, seed: int = 0) -> float:
    """Largest difference between our ONNX (score through a clamped sigmoid) and the published outputs."""
    import onnxruntime as ort

    rng = np.random.default_rng(seed)
    feeds = {"template": rng.normal(0, 1, (1, 3, 128, 128)).astype(np.float32),
             "search": rng.normal(0, 1, (1, 3, 256, 256)).astype(np.float32)}
    logits, size, offset = ort.InferenceSession(str(ours), providers=["CPUExecutionProvider"]).run(None, feeds)
    theirs = ort.InferenceSession(str(published), providers=["CPUExecutionProvider"]).run(None, feeds)
    score = np.clip(1 / (1 + np.exp(-logits)), 1e-4, 1 - 1e-4)
    return float(max(np.abs(a - b).max() for a, b in zip((score, size, offset), theirs)))
