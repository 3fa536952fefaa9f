# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A pruning plan: the kept unit indices of every gate, JSON-serialisable, replayable on the parent."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from light_tracker_ros.core.errors import ConfigError, ModelFileError
from light_tracker_ros.pruning.units import UnitMap

FORMAT = "light_tracker_ros.pruning_plan/1"


@dataclass(frozen=True)
class PruningPlan:
    """
    Which units each gate keeps (sorted indices into the parent's units) and how that was decided.

    ``budget`` is the asked fraction of prunable parameters; ``kept_params`` / ``prunable_params`` the one
    reached (closed form). Mask values are not part of the plan: replaying it on the parent gives the parent's
    weights, sliced.
    """

    kept: dict[str, list[int]]
    units: dict[str, int]
    budget: float | None = None
    mode: str = "global"
    parent: str | None = None
    prunable_params: int = 0
    kept_params: int = 0
    rest_params: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Kept units per gate."""
        return {name: len(idx) for name, idx in self.kept.items()}

    @property
    def kept_fraction(self) -> float:
        """Kept fraction of the prunable parameters."""
        return self.kept_params / self.prunable_params if self.prunable_params else 1.0

    def check(self, unit_map: UnitMap) -> None:
        """Raise ConfigError unless the plan names exactly the gates of ``unit_map`` with valid indices."""
        wanted = {g.name: g.units for g in unit_map.groups}
        if set(wanted) != set(self.kept):
            missing, extra = sorted(set(wanted) - set(self.kept)), sorted(set(self.kept) - set(wanted))
            raise ConfigError(f"pruning plan does not fit this model: gates missing {missing[:3]}, unknown "
                              f"{extra[:3]}; replay it on the parent it was made for ({self.parent})")
        for name, idx in self.kept.items():
            n = wanted[name]
            if self.units.get(name) != n:
                raise ConfigError(f"pruning plan: gate {name} had {self.units.get(name)} units, the model has {n}")
            if not idx or len(set(idx)) != len(idx) or min(idx) < 0 or max(idx) >= n:
                raise ConfigError(f"pruning plan: gate {name} keeps {idx!r}; need 1..{n} distinct indices in "
                                  f"[0, {n})")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (with a format tag)."""
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PruningPlan":
        """Inverse of :meth:`to_dict`."""
        if data.get("format") != FORMAT:
            raise ModelFileError(f"not a pruning plan of format {FORMAT}: format is {data.get('format')!r}")
        body = {k: v for k, v in data.items() if k != "format"}
        try:
            plan = cls(**body)
        except TypeError as exc:
            raise ModelFileError(f"pruning plan has unknown or missing keys: {exc}") from exc
        return cls(**{**body, "kept": {k: sorted(int(i) for i in v) for k, v in plan.kept.items()},
                      "units": {k: int(v) for k, v in plan.units.items()}})

    def save(self, path: str | Path) -> None:
        """Write the plan as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "PruningPlan":
        """Read a plan written by :meth:`save` (or the ``pruning_plan`` of a model card)."""
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"cannot read pruning plan {path}: {exc}") from exc
        if isinstance(data, dict) and "pruning_plan" in data and "format" not in data:
            data = data["pruning_plan"]
        return cls.from_dict(data)


def make_plan(unit_map: UnitMap, kept: dict[str, list[int]], budget: float | None, mode: str,
              parent: str | None = None, notes: dict[str, Any] | None = None) -> PruningPlan:
    """Make a plan with its parameter accounting filled from the unit map."""
    kept = {name: sorted(int(i) for i in idx) for name, idx in kept.items()}
    plan = PruningPlan(kept=kept, units={g.name: g.units for g in unit_map.groups}, budget=budget, mode=mode,
                       parent=parent, prunable_params=unit_map.prunable_params,
                       kept_params=unit_map.kept_params({n: len(i) for n, i in kept.items()}),
                       rest_params=unit_map.rest_params, notes=dict(notes or {}))
    plan.check(unit_map)
    return plan
