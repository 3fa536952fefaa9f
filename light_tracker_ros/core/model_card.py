# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Model cards: the JSON (or YAML) file beside every ``.onnx`` that says what the model is and how to feed it."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from light_tracker_ros.core.errors import ModelFileError

FAMILIES = ("cnn", "transformer", "hybrid")
#: the input and output names of every exported tracker model (the contract between export and backends)
INPUT_NAMES = ("template", "search")
OUTPUT_NAMES = ("score", "size", "offset")


@dataclass(frozen=True)
class ModelCard:
    """What a tracker model is: family, inputs, normalisation, provenance, size and measured quality."""

    name: str
    family: str
    variant: str
    architecture: dict[str, Any]
    template_size: int
    search_size: int
    template_factor: float = 2.0
    search_factor: float = 4.0
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    channel_order: str = "rgb"
    parent: str | None = None
    budget: float | None = None
    kept_units: dict[str, Any] = field(default_factory=dict)
    pruning_plan: dict[str, Any] | None = None
    params: int = 0
    prunable_params: int = 0
    macs: int = 0
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    licence: str = "Apache-2.0"
    onnx_sha256: str | None = None
    weight_storage: str = "float32"  # float16: weights stored in half precision, computed in float32
    #: how the runtime tracker decodes the outputs when not this package's default (imported trackers): see DECODING
    decoding: dict[str, Any] | None = None

    def to_json(self) -> str:
        """Serialise the card as indented JSON."""
        return json.dumps(dataclasses.asdict(self), indent=1, sort_keys=False)

    def save(self, path: str | Path) -> None:
        """Write the card to ``path`` (JSON)."""
        Path(path).write_text(self.to_json() + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "card") -> "ModelCard":
        """
        Build a card from a dict after checking its schema (keys, types, sizes).

        Messages name the rule broken and the card's fields, never a key or value found in the file.
        """
        check_schema(data, source)
        data = dict(data)
        for key in ("mean", "std"):
            if key in data:
                data[key] = tuple(float(v) for v in data[key])
        return cls(**data)

    @classmethod
    def load(cls, path: str | Path) -> "ModelCard":
        """Read a card from a ``.json``, ``.yaml`` or ``.yml`` file of at most MAX_CARD_BYTES."""
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_CARD_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"model card {path} cannot be read ({type(exc).__name__})") from None
        if len(raw) > MAX_CARD_BYTES:
            raise ModelFileError(f"model card {path} is larger than the limit of {MAX_CARD_BYTES // 1024} KiB")
        kind = "JSON" if path.suffix == ".json" else "YAML"
        try:
            text = raw.decode("utf-8")
            data = json.loads(text) if kind == "JSON" else yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506
        except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError, RecursionError, ValueError):
            # the parser's message quotes the file: name the rule only
            raise ModelFileError(f"model card {path} is not valid UTF-8 {kind} without aliases") from None
        if not isinstance(data, dict):
            raise ModelFileError(f"model card {path} must hold a mapping of card fields")
        return cls.from_dict(data, source=f"model card {path}")


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses anchors/aliases (a few KB of aliases can expand to gigabytes)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed in model cards")
        return super().compose_node(parent, index)


#: a card is a few KB; the largest shipped one is under 6 KB
MAX_CARD_BYTES = 256 * 1024
#: the largest published scale (vit_b16) is ~370 MB in float32
MAX_ONNX_BYTES = 512 * 1024 * 1024
#: nesting depth and node count of the card's nested fields (architecture, plan, kept units, metrics)
MAX_DEPTH, MAX_NODES = 12, 200_000
#: the architecture is a small recipe (the shipped ones have under 50 items, vit_b16 about 100)
MAX_ARCHITECTURE_NODES = 2000
_SCALARS = {"name": str, "family": str, "variant": str, "template_size": int, "search_size": int,
            "template_factor": float, "search_factor": float, "channel_order": str, "parent": str,
            "budget": float, "params": int, "prunable_params": int, "macs": int, "licence": str,
            "onnx_sha256": str, "weight_storage": str}
_CHOICES = {"family": FAMILIES, "channel_order": ("rgb", "bgr"), "weight_storage": ("float32", "float16")}
_RANGES = {"template_size": (8, 1024), "search_size": (8, 2048), "template_factor": (0.5, 16.0),
           "search_factor": (0.5, 32.0), "budget": (0.0, 1.0), "params": (0, 10**10),
           "prunable_params": (0, 10**10), "macs": (0, 10**14)}
_NESTED = {"architecture": dict, "kept_units": dict, "pruning_plan": dict, "training": dict, "metrics": dict,
           "decoding": dict}
#: the card's optional ``decoding``: style 'siamese' = SiamRPN/NanoTrack (context crop, scale and ratio penalty,
#: penalised size update, additive window); style 'center' = the package's default decoding with the model's own
#: window weight (window_influence) and size learning rate (size_lr) instead of the tracker config's
DECODING = {"context_amount": (0.0, 4.0), "window_influence": (0.0, 1.0), "penalty_k": (0.0, 10.0),
            "size_lr": (0.0, 1.0), "min_size": (0.0, 1000.0)}
DECODING_CHOICES = {"style": ("siamese", "center"), "window": ("hanning",)}


def _check_nested(value: Any, field_name: str, source: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, too many items, non-finite numbers or long strings."""
    stack, nodes, limit = [(value, 0)], 0, MAX_ARCHITECTURE_NODES if field_name == "architecture" else MAX_NODES
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > limit:
            raise ModelFileError(f"{source}: field '{field_name}' is nested deeper than {MAX_DEPTH} levels or holds "
                                 f"more than {limit} items")
        if isinstance(item, dict):
            if not all(isinstance(k, str) and len(k) <= 256 for k in item):
                raise ModelFileError(f"{source}: field '{field_name}' has a key that is not a short string")
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ModelFileError(f"{source}: field '{field_name}' holds a non-finite number")
        elif isinstance(item, str) and len(item) > 4096:
            raise ModelFileError(f"{source}: field '{field_name}' holds a string longer than 4096 characters")
        elif not isinstance(item, (str, int, float, bool)) and item is not None:
            raise ModelFileError(f"{source}: field '{field_name}' holds a value that is not JSON data")


def check_schema(data: dict[str, Any], source: str = "model card") -> None:
    """
    Check a card mapping: known keys only, required keys present, types, ranges, choices and sizes.

    :raises ModelFileError: naming the field and the rule, never a key or value taken from the data.
    """
    fields = {f.name: f for f in dataclasses.fields(ModelCard)}
    unknown = [k for k in data if k not in fields]
    if unknown:
        raise ModelFileError(f"{source}: {len(unknown)} key(s) are not model card fields (allowed: "
                             f"{', '.join(fields)})")
    required = [n for n, f in fields.items()
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [k for k in required if k not in data]
    if missing:
        raise ModelFileError(f"{source}: model card lacks required keys {missing}")
    for key, value in data.items():
        kind = _SCALARS.get(key)
        if kind is not None:
            if value is None and fields[key].default is None:
                continue
            ok = (isinstance(value, kind) and not isinstance(value, bool)) or (
                kind is float and isinstance(value, int) and not isinstance(value, bool))
            if not ok:
                raise ModelFileError(f"{source}: field '{key}' must be a {kind.__name__}")
            if kind is str and len(value) > 256:
                raise ModelFileError(f"{source}: field '{key}' is longer than 256 characters")
            if key in _CHOICES and value not in _CHOICES[key]:
                raise ModelFileError(f"{source}: field '{key}' must be one of {_CHOICES[key]}")
            low, high = _RANGES.get(key, (None, None))
            if low is not None and not (math.isfinite(value) and low <= value <= high):
                raise ModelFileError(f"{source}: field '{key}' must lie in [{low}, {high}]")
        elif key in ("mean", "std"):
            if not (isinstance(value, list) and len(value) == 3 and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)):
                raise ModelFileError(f"{source}: field '{key}' must be a list of three finite numbers")
            if key == "std" and min(value) <= 0:
                raise ModelFileError(f"{source}: field 'std' must be positive")
        elif key in _NESTED:
            if value is None and fields[key].default is None:
                continue
            if not isinstance(value, _NESTED[key]):
                raise ModelFileError(f"{source}: field '{key}' must be a mapping")
            _check_nested(value, key, source)
    if data.get("decoding") is not None:
        _check_decoding(data["decoding"], source)
    if data.get("architecture", {}).get("family", data["family"]) != data["family"]:
        raise ModelFileError(f"{source}: field 'architecture' is of another family than field 'family'")


def _check_decoding(decoding: dict[str, Any], source: str) -> None:
    """Refuse a ``decoding`` mapping with other keys, a missing style, or values out of their range."""
    allowed = set(DECODING) | set(DECODING_CHOICES)
    if any(k not in allowed for k in decoding) or "style" not in decoding:
        raise ModelFileError(f"{source}: field 'decoding' takes 'style' and optionally {sorted(allowed - {'style'})}")
    for key, choices in DECODING_CHOICES.items():
        if key in decoding and decoding[key] not in choices:
            raise ModelFileError(f"{source}: field 'decoding.{key}' must be one of {choices}")
    for key, (low, high) in DECODING.items():
        value = decoding.get(key, low)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ModelFileError(f"{source}: field 'decoding.{key}' must be a number in [{low}, {high}]")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_path_for(onnx_path: str | Path) -> Path:
    """Return the card file beside a model file (``name.json``, else ``name.yaml``/``name.yml``)."""
    onnx_path = Path(onnx_path)
    for suffix in (".json", ".yaml", ".yml"):
        candidate = onnx_path.with_suffix(suffix)
        try:
            if candidate.is_file():
                return candidate
        except (OSError, ValueError):
            break
    raise ModelFileError(f"model {onnx_path} has no card beside it: expected {onnx_path.with_suffix('.json')}")


def check_file_sizes(onnx_path: Path, card_path: Path) -> None:
    """
    Refuse a model whose ``.onnx`` or card is over its size limit (checked with stat, before reading).

    :raises ModelFileError: naming the file and the limit.
    """
    for path, limit in ((card_path, MAX_CARD_BYTES), (onnx_path, MAX_ONNX_BYTES)):
        try:
            size = path.stat().st_size
        except (OSError, ValueError):
            raise ModelFileError(f"model file {path} cannot be read") from None
        if size > limit:
            raise ModelFileError(f"model file {path} is larger than the limit of {_human(limit)}")


def _human(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def default_models_dir() -> Path:
    """Return the installed ``share/light_tracker_ros/models`` when ament finds it, else the source tree's models/."""
    try:
        from ament_index_python.packages import get_package_share_directory
        share = Path(get_package_share_directory("light_tracker_ros")) / "models"
        if share.is_dir():
            return share
    except Exception:  # noqa: BLE001 - ament index absent or package not installed: fall back
        pass
    return Path(__file__).resolve().parents[2] / "models"


#: a model name: letters, digits, '_', '-', '.' (not first), at most 128 characters
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
MAX_REQUEST_CHARS = 4096


def describe_request(request: object, limit: int = 256) -> str:
    """Return a model request as it may be quoted in a refusal: control characters escaped, long ones cut."""
    text = str(request).encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(request))} characters)"


def is_model_path(request: str) -> bool:
    """Tell whether a ``model`` request is a path (has a folder part, starts with '~' or ends in .onnx)."""
    return "/" in request or "\\" in request or request.startswith("~") or request.endswith(".onnx")


def resolve_model(name_or_path: str, model_dirs: tuple[str | Path, ...] | list[str | Path] | str | Path | None = None,
                  allow_paths: bool = True) -> Path:
    """
    Turn a model name (looked up in ``model_dirs`` in order) or, when ``allow_paths``, a path into a ``.onnx`` path.

    An empty entry of ``model_dirs`` (or no folders at all) stands for the installed models/ folder.

    A path must end in ``.onnx`` and name a regular file with its card beside it, both under the size limits.
    Refusals name the request and the rule; for a path they never tell which part is missing, so a caller
    cannot probe which files exist.

    :raises ModelFileError: no such model or a rule broken.
    """
    if not isinstance(name_or_path, str) or not name_or_path:
        raise ModelFileError("no model given: set 'model' to a name in the model folders")
    shown = describe_request(name_or_path)
    if len(name_or_path) > MAX_REQUEST_CHARS or "\x00" in name_or_path:
        raise ModelFileError(f"model '{shown}' refused: a model request is at most {MAX_REQUEST_CHARS} printable "
                             "characters")
    if isinstance(model_dirs, (str, Path)):
        model_dirs = (model_dirs,) if str(model_dirs) else ()
    folders = [Path(d).expanduser() if str(d) else default_models_dir() for d in (model_dirs or ())]
    folders = folders or [default_models_dir()]
    if is_model_path(name_or_path):
        if not allow_paths:
            raise ModelFileError(f"model '{shown}' is a path; only model names from the model folders are "
                                 "accepted (allow_model_paths is false)")
        return _checked_path(name_or_path, shown)
    if not _NAME.fullmatch(name_or_path):
        raise ModelFileError(f"model '{shown}' is not a model name: letters, digits, '_', '-' and '.', at most "
                             "128 characters")
    for folder in folders:
        path = folder / f"{name_or_path}.onnx"
        try:
            if path.is_file():
                return path
        except (OSError, ValueError):
            continue
    known = sorted({p.stem for folder in folders for p in _onnx_files(folder)})
    raise ModelFileError(f"no model named '{shown}' in {', '.join(map(str, folders))}; "
                         f"available: {known or 'none'}")


def _onnx_files(folder: Path) -> list[Path]:
    try:
        return list(folder.glob("*.onnx")) if folder.is_dir() else []
    except (OSError, ValueError):
        return []


def _checked_path(request: str, shown: str) -> Path:
    """Return the ``.onnx`` file of a path request; one refusal text whatever is missing or unreadable."""
    if not request.endswith(".onnx"):
        raise ModelFileError(f"model '{shown}' refused: a model path must end in .onnx")
    path = Path(request).expanduser()
    try:
        usable = path.is_file() and path.stat().st_size > 0
        card = card_path_for(path) if usable else None
    except (OSError, ValueError, ModelFileError, RuntimeError):
        usable, card = False, None
    if not usable or card is None:
        raise ModelFileError(f"model '{shown}' refused: a model path must name a readable .onnx file with its "
                             ".json card beside it")
    check_file_sizes(path, card)
    return path
