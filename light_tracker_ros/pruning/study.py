# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
The compression study: how each family holds up under pruning, read from evaluation reports.

The reports are the JSON files of ``light-tracker evaluate --json``.

A report (format ``light_tracker_ros.evaluation/1``) has ``trackers`` (name -> kind, card), ``mean`` (name ->
auc, precision_20, ...) and ``latency`` (name -> threads -> mean_ms, median_ms). A model's family, budget and
parent come from its card; a parent (no budget) counts as budget 1.0; trackers of kind ``peer`` (CSRT, KCF,
MIL) are reference points. Entries that lack what a plot needs are skipped with a warning, not fatal.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from light_tracker_ros.core.errors import DatasetError

log = logging.getLogger(__name__)
FORMAT = "light_tracker_ros.evaluation/1"


@dataclass
class Entry:
    """One evaluated tracker: success AUC, precision@20 and per-thread latency (median ms per update)."""

    name: str
    kind: str
    family: str | None
    budget: float | None
    parent: str | None
    auc: float
    precision_20: float | None = None
    params: int | None = None
    latency: dict[int, float] = field(default_factory=dict)
    source: str = ""


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _mean_auc(record: dict[str, Any]) -> float | None:
    """Mean AUC over the sequences of a ``results`` record, for reports without a ``mean`` section."""
    aucs = [_num(r.get("metrics", {}).get("auc")) for r in record.values() if isinstance(r, dict)]
    aucs = [a for a in aucs if a is not None]
    return sum(aucs) / len(aucs) if aucs else None


def read_report(path: str | Path) -> list[Entry]:
    """Entries of one report; raise DatasetError if the file is unreadable or of another format."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read evaluation report {path}: {exc}; write one with light-tracker evaluate --json")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DatasetError(f"{path} is not an evaluation report of format {FORMAT} (format: "
                           f"{data.get('format') if isinstance(data, dict) else type(data).__name__})")
    entries = []
    for name, tracker in (data.get("trackers") or {}).items():
        card = tracker.get("card") or {}
        auc = _num((data.get("mean") or {}).get(name, {}).get("auc"))
        if auc is None:
            auc = _mean_auc((data.get("results") or {}).get(name, {}))
        if auc is None:
            log.warning("%s: tracker %s has no AUC; skipped", path, name)
            continue
        latency = {}
        for threads, stats in ((data.get("latency") or {}).get(name) or {}).items():
            ms = _num(stats.get("median_ms")) or _num(stats.get("mean_ms"))
            if ms is not None and str(threads).isdigit():
                latency[int(threads)] = ms
        budget = _num(card.get("budget"))
        kind = tracker.get("kind", "model")
        entries.append(Entry(name, kind, card.get("family"), budget if budget is not None else
                             (1.0 if card.get("family") else None), card.get("parent"), auc,
                             _num((data.get("mean") or {}).get(name, {}).get("precision_20")),
                             card.get("params"), latency, str(path)))
    return entries


def read_reports(paths: list[str | Path]) -> list[Entry]:
    """Entries of several reports; a name seen twice keeps its last occurrence (with a warning)."""
    merged: dict[str, Entry] = {}
    for path in paths:
        for entry in read_report(path):
            if entry.name in merged:
                log.warning("tracker %s appears in %s and %s; keeping the latter", entry.name,
                            merged[entry.name].source, entry.source)
            merged[entry.name] = entry
    return list(merged.values())


@dataclass
class FamilyCurve:
    """One family's parent and children sorted by decreasing budget (the parent first, at budget 1.0)."""

    family: str
    points: list[Entry]
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.family

    @property
    def parent(self) -> Entry:
        """The budget-1.0 entry (the unpruned parent), else the largest budget."""
        return self.points[0]

    def retention(self, entry: Entry) -> float:
        """AUC of ``entry`` as a fraction of the parent's."""
        return entry.auc / self.parent.auc if self.parent.auc > 0 else math.nan

    def speedup(self, entry: Entry, threads: int = 1) -> float | None:
        """Parent latency / entry latency at ``threads``."""
        a, b = self.parent.latency.get(threads), entry.latency.get(threads)
        return a / b if a and b else None


def family_curves(entries: list[Entry]) -> list[FamilyCurve]:
    """Group model entries by family and parent; label ``family (parent)`` when a family has several parents."""
    # peers and entries without a family or budget are left out; an imported pretrained parent (nanotrack_v3)
    # and ours (cnn_parent) are two curves of the cnn family
    curves: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if e.kind != "peer" and e.family and e.budget is not None:
            curves.setdefault((e.family, e.parent or e.name), []).append(e)
    lineages: dict[str, int] = {}
    for family, _ in curves:
        lineages[family] = lineages.get(family, 0) + 1
    return [FamilyCurve(f, sorted(pts, key=lambda e: -(e.budget or 0.0)),
                        f if lineages[f] == 1 else f"{f} ({root})") for (f, root), pts in sorted(curves.items())]


def peers(entries: list[Entry]) -> list[Entry]:
    """Return the classical reference trackers."""
    return [e for e in entries if e.kind == "peer"]


def break_point(curve: FamilyCurve, keep: float) -> tuple[Entry | None, Entry | None]:
    """Return the last budget still at >= ``keep`` of the parent's AUC and the first one below it (None if none)."""
    last_ok, first_bad = None, None
    for e in curve.points:
        if curve.retention(e) >= keep and first_bad is None:
            last_ok = e
        elif first_bad is None:
            first_bad = e
    return last_ok, first_bad


def best_family(curves: list[FamilyCurve]) -> tuple[FamilyCurve | None, list[float]]:
    """Return the family with the highest mean AUC retention over the budgets every family was pruned to."""
    pruned = [c for c in curves if len(c.points) > 1]
    if not pruned:
        return None, []
    common = set.intersection(*[{round(e.budget, 6) for e in c.points[1:]} for c in pruned])
    budgets = sorted(common, reverse=True)
    if not budgets:
        return None, []

    def score(c: FamilyCurve) -> float:
        at = {round(e.budget, 6): e for e in c.points}
        return sum(c.retention(at[b]) for b in budgets) / len(budgets)

    return max(pruned, key=score), budgets
