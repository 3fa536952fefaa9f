# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Model cards: the JSON (or YAML) file beside every ``.onnx`` that says what the model is and how to feed it."""
from __future__ import annotations

import dataclasses
import hashlib
import json
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

    def to_json(self) -> str:
        """Serialise the card as indented JSON."""
        return json.dumps(dataclasses.asdict(self), indent=1, sort_keys=False)

    def save(self, path: str | Path) -> None:
        """Write the card to ``path`` (JSON)."""
        Path(path).write_text(self.to_json() + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "card") -> "ModelCard":
        """Build a card from a dict, naming the missing or unknown keys on error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ModelFileError(f"{source}: unknown model card keys {unknown}")
        required = {f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        missing = sorted(required - set(data))
        if missing:
            raise ModelFileError(f"{source}: model card lacks required keys {missing}")
        data = dict(data)
        for key in ("mean", "std"):
            if key in data:
                data[key] = tuple(float(v) for v in data[key])
        card = cls(**data)
        if card.family not in FAMILIES:
            raise ModelFileError(f"{source}: family must be one of {FAMILIES}, got {card.family!r}")
        if card.weight_storage not in ("float32", "float16"):
            raise ModelFileError(f"{source}: weight_storage must be 'float32' or 'float16', "
                                 f"got {card.weight_storage!r}")
        if card.channel_order not in ("rgb", "bgr"):
            raise ModelFileError(f"{source}: channel_order must be 'rgb' or 'bgr', got {card.channel_order!r}")
        return card

    @classmethod
    def load(cls, path: str | Path) -> "ModelCard":
        """Read a card from a ``.json``, ``.yaml`` or ``.yml`` file."""
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as exc:
            raise ModelFileError(f"model card {path} cannot be read: {exc}") from exc
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise ModelFileError(f"model card {path} is not valid {path.suffix[1:].upper()}: {exc}") from exc
        if not isinstance(data, dict):
            raise ModelFileError(f"model card {path} must hold a mapping")
        return cls.from_dict(data, source=str(path))


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
        if candidate.exists():
            return candidate
    raise ModelFileError(f"model {onnx_path} has no card beside it: expected {onnx_path.with_suffix('.json')}")


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


def resolve_model(name_or_path: str, model_dirs: tuple[str | Path, ...] | list[str | Path] | str | Path | None = None,
                  allow_paths: bool = True) -> Path:
    """
    Turn a model name (looked up in ``model_dirs`` in order) or, when ``allow_paths``, a path into a ``.onnx`` path.

    :raises ModelFileError: no such model; the message names the request and the folders searched.
    """
    if not name_or_path:
        raise ModelFileError("no model given: set 'model' to a name in models/ or a path to a .onnx file")
    if isinstance(model_dirs, (str, Path)):
        model_dirs = (model_dirs,) if str(model_dirs) else ()
    folders = [Path(d).expanduser() for d in (model_dirs or ()) if str(d)] or [default_models_dir()]
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".onnx" or candidate.parent != Path("."):
        if not allow_paths:
            raise ModelFileError(f"model '{name_or_path}' is a path; only model names from the model folders are "
                                 "accepted (allow_model_paths is false)")
        if not candidate.exists():
            raise ModelFileError(f"model file {candidate} does not exist")
        return candidate
    for folder in folders:
        path = folder / f"{name_or_path}.onnx"
        if path.is_file():
            return path
    known = sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.onnx")})
    raise ModelFileError(f"no model named '{name_or_path}' in {', '.join(map(str, folders))}; "
                         f"available: {known or 'none'}")
