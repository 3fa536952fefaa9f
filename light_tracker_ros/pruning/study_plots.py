# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The study's three plots (matplotlib, Agg): AUC vs budget, latency vs budget, AUC vs latency with peers."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from light_tracker_ros.pruning.study import Entry, FamilyCurve  # noqa: E402

COLORS = {"cnn": "tab:blue", "transformer": "tab:orange", "hybrid": "tab:green"}


def _style(curves: list[FamilyCurve], curve: FamilyCurve) -> dict[str, str]:
    """Colour by family; the second parent of a family (e.g. an imported pretrained one) dashed."""
    same = [c for c in curves if c.family == curve.family]
    return {"color": COLORS.get(curve.family, "tab:gray"),
            "linestyle": ("-", "--", ":", "-.")[same.index(curve) % 4]}


def _budget_axis(ax: plt.Axes) -> None:
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("budget: kept fraction of prunable parameters (log; 1.0 = parent)")
    ax.grid(True, which="both", alpha=0.3)


def auc_vs_budget(curves: list[FamilyCurve], path: Path) -> Path:
    """Success AUC against budget, one line per family."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for c in curves:
        ax.plot([e.budget for e in c.points], [e.auc for e in c.points], marker="o", label=c.label,
                **_style(curves, c))
    _budget_axis(ax)
    ax.set_ylabel("success AUC")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def latency_vs_budget(curves: list[FamilyCurve], path: Path, threads: tuple[int, ...] = (1, 2)) -> Path:
    """Median update latency against budget; round markers 1 thread, square markers 2 threads."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for c in curves:
        for t, marker in zip(threads, ("o", "s")):
            pts = [(e.budget, e.latency[t]) for e in c.points if t in e.latency]
            if pts:
                ax.plot(*zip(*pts), marker=marker, label=f"{c.label}, {t} thread{'s' * (t > 1)}", **_style(curves, c))
    _budget_axis(ax)
    ax.set_yscale("log")
    ax.set_ylabel("update latency, ms (median, log)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def auc_vs_latency(curves: list[FamilyCurve], peer_entries: list[Entry], path: Path, threads: int = 1) -> Path:
    """AUC against latency at ``threads``: each family's children joined, each peer a labelled point."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for c in curves:
        pts = [(e.latency[threads], e.auc, e.budget) for e in c.points if threads in e.latency]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=c.label, **_style(curves, c))
            for x, y, b in pts:
                ax.annotate(f"{b:g}", (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    for p in peer_entries:
        if threads in p.latency:
            ax.plot(p.latency[threads], p.auc, "kx", markersize=8)
            ax.annotate(p.name, (p.latency[threads], p.auc), fontsize=8, xytext=(4, -10), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel(f"update latency at {threads} thread{'s' * (threads > 1)}, ms (median, log)")
    ax.set_ylabel("success AUC")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
