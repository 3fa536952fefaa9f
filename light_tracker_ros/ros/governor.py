# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Latency governor (ROS-free): picks the model of one family that keeps end-to-end p95 latency under a budget.

The ladder is the requested model followed by its lighter relatives, heaviest first: the children of one parent
ordered by the ``budget`` of their cards (a parent has none and comes first). The governor steps one rung down
when the p95 of the samples since the last swap is over the budget, and one rung up (never above the requested
model) when it is under ``room`` times the budget; each step needs ``min_samples`` new samples and
``cooldown`` seconds since the last swap, and a step up that is followed by a step down within
``4 * cooldown`` doubles the cooldown (no oscillation between two rungs that straddle the budget).
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np


@dataclass(frozen=True)
class Rung:
    """One model of a ladder: its name, its parent's name (None for a parent) and its budget (None: parent)."""

    name: str
    parent: str | None = None
    budget: float | None = None


@dataclass(frozen=True)
class Decision:
    """A swap the governor asks for: the model to load, the direction and why (for the log and diagnostics)."""

    model: str
    index: int
    direction: str
    reason: str


def build_ladder(rungs: Iterable[Rung], requested: str) -> list[str]:
    """Return ``requested`` and its lighter relatives, heaviest first (``[requested]`` when it has none)."""
    by_name = {r.name: r for r in rungs}
    own = by_name.get(requested)
    if own is None:
        return [requested]
    parent = own.parent if own.parent is not None else own.name
    family = [r for r in by_name.values() if r.name == parent or r.parent == parent]
    weight = {r.name: (r.budget if r.budget is not None else 1.0) for r in family}
    mine = weight[requested]
    lighter = sorted((r.name for r in family if weight[r.name] < mine), key=lambda n: -weight[n])
    return [requested] + lighter


def rungs_in(folders: Iterable[str | Path], max_card_bytes: int = 1 << 20) -> list[Rung]:
    """Read name, parent and budget from the model cards (``*.json`` beside a ``*.onnx``) of ``folders``."""
    found: dict[str, Rung] = {}
    for folder in folders:
        for card in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else ():
            try:
                if not card.with_suffix(".onnx").is_file() or card.stat().st_size > max_card_bytes:
                    continue
                data = json.loads(card.read_text())
                budget = data.get("budget")
                rung = Rung(str(data["name"]), data.get("parent"), float(budget) if budget is not None else None)
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not a card of ours: the ladder just does not include it
            if rung.name == card.stem:
                found.setdefault(rung.name, rung)
    return list(found.values())


class LatencyGovernor:
    """Chooses a rung of ``ladder`` from end-to-end latency samples (ms); call :meth:`decide` after samples."""

    def __init__(self, ladder: list[str], budget_ms: float, *, room: float = 0.5, min_samples: int = 20,
                 cooldown: float = 5.0, window: int = 100) -> None:
        if budget_ms <= 0 or not ladder:
            raise ValueError("the governor needs a positive budget and at least one model")
        self.ladder = list(ladder)
        self.budget_ms = budget_ms
        self.room = room
        self.min_samples = min_samples
        self.base_cooldown = self.cooldown = cooldown
        self.index = 0
        self.swaps = 0
        self.last_reason = ""
        self.pending: Decision | None = None
        self._samples: deque[float] = deque(maxlen=window)
        self._last_swap = -1e18
        self._last_up = -1e18

    @property
    def model(self) -> str:
        """The rung the governor is on (the model running once a pending swap completes)."""
        return self.ladder[self.index]

    def add(self, latency_ms: float) -> None:
        """Record one end-to-end latency sample of the running model."""
        if latency_ms == latency_ms:
            self._samples.append(float(latency_ms))

    def p95(self) -> float:
        """p95 of the samples since the last swap (NaN when there are none)."""
        return float(np.percentile(np.fromiter(self._samples, float), 95)) if self._samples else float("nan")

    def decide(self, now: float) -> Decision | None:
        """Return the swap to make now, or None (also while a swap is pending or the cooldown runs)."""
        if self.pending is not None or len(self._samples) < self.min_samples or now - self._last_swap < self.cooldown:
            return None
        p95 = self.p95()
        if p95 > self.budget_ms and self.index + 1 < len(self.ladder):
            if now - self._last_up < 4 * self.cooldown:
                self.cooldown *= 2  # the step up did not fit: wait longer before trying again
            target, direction = self.index + 1, "down"
            reason = f"end-to-end p95 {p95:.1f} ms over the {self.budget_ms:g} ms budget"
        elif p95 < self.room * self.budget_ms and self.index > 0:
            target, direction = self.index - 1, "up"
            reason = f"end-to-end p95 {p95:.1f} ms under {self.room:g} x the {self.budget_ms:g} ms budget"
        else:
            return None
        self.pending = Decision(self.ladder[target], target, direction, reason)
        return self.pending

    def done(self, ok: bool, now: float) -> None:
        """Report the pending swap's outcome; a model that failed to load is taken off the ladder."""
        decision, self.pending = self.pending, None
        if decision is None:
            return
        self._samples.clear()
        self._last_swap = now
        if ok:
            if decision.direction == "up":
                self._last_up = now
            self.index = decision.index
            self.swaps += 1
            self.last_reason = f"{decision.direction} to {decision.model}: {decision.reason}"
        else:
            self.ladder.pop(decision.index)
            self.index = min(self.index, len(self.ladder) - 1) if decision.index > self.index else self.index - 1
            self.last_reason = f"{decision.model} failed to load and left the ladder"
