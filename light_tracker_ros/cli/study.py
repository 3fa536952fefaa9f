# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
r"""
``light-tracker study``: regenerate docs/compression_study.md and its plots from ``evaluate --json`` reports.

Every number in the document is read from the reports; rerun this command after a new evaluation. The whole
study, once the parents are trained (``<family>`` in cnn, transformer, hybrid)::

    light-tracker prune --parent models/<family>_parent.onnx --config config/prune/<family>.yaml --data PAIRS \
        --budget 0.5 --budget 0.25 --budget 0.1 --budget 0.05 --budget 0.01 --out models/ --resume
    light-tracker evaluate --model <every parent and child> --dataset VALIDATION --latency-threads 1,2 \
        --json docs/compression_results.json
    light-tracker study --results docs/compression_results.json --out docs/

Imported pretrained parents (``light-tracker import nanotrack|vittrack``) are pruned the same way with
``config/prune/nanotrack.yaml`` or ``vittrack.yaml`` and evaluated in the same run; a family with two parents gets
one curve per parent, e.g. ``cnn (cnn_parent)`` and ``cnn (nanotrack_v3)``.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.pruning.study import (Entry, FamilyCurve, best_family, break_point, family_curves, peers,
                                             read_reports)

log = logging.getLogger("compression_study")
TIE = 0.01  # mean retentions closer than this are called a tie


def _ms(entry: Entry, threads: int) -> str:
    return f"{entry.latency[threads]:.2f}" if threads in entry.latency else "-"


def _fmt_point(curve: FamilyCurve, e: Entry) -> str:
    return f"budget {e.budget:g} (`{e.name}`, AUC {e.auc:.3f}, {100 * curve.retention(e):.0f}% of the parent)"


def findings(curves: list[FamilyCurve], peer_entries: list[Entry], keep: float) -> list[str]:
    """Bullet points stating, in the reports' numbers, which family holds up best and where each breaks."""
    lines = []
    best, budgets = best_family(curves)
    if best is not None:
        top = _mean_retention(best, budgets)
        rivals = [c for c in curves if c is not best and len(c.points) > 1]
        others = ", ".join(f"{c.label} {_mean_retention(c, budgets):.2f}" for c in rivals)
        shared = ", ".join(f"{b:g}" for b in budgets)
        if rivals and top - max(_mean_retention(c, budgets) for c in rivals) < TIE:
            lines.append(f"No family holds up clearly best: mean AUC retention over the budgets all families share "
                         f"({shared}) is {best.label} {top:.2f}, {others} (within {TIE}).")
        else:
            lines.append(f"**{best.label} holds up best**: mean AUC retention {top:.2f} of its parent over the "
                         f"budgets all families share ({shared})" + (f"; {others}." if others else "."))
    else:
        lines.append("No budget was evaluated for every family, so no family can be called best yet.")
    for c in curves:
        ok, bad = break_point(c, keep)
        head = f"**{c.label}** (parent `{c.parent.name}`, AUC {c.parent.auc:.3f})"
        if len(c.points) == 1:
            lines.append(f"{head}: no pruned child evaluated.")
        elif bad is None:
            lines.append(f"{head} keeps at least {keep:.0%} of its AUC at every budget, down to "
                         f"{_fmt_point(c, c.points[-1])}.")
        elif ok is None or ok is c.parent:
            lines.append(f"{head} breaks at the first budget: {_fmt_point(c, bad)}.")
        else:
            lines.append(f"{head} keeps at least {keep:.0%} of its AUC down to {_fmt_point(c, ok)} and breaks at "
                         f"{_fmt_point(c, bad)}.")
        fast = [(e, c.speedup(e)) for e in c.points[1:] if c.speedup(e)]
        if fast:
            lines[-1] += " Speed-up at 1 thread: " + ", ".join(f"{s:.1f}x at {e.budget:g}" for e, s in fast) + "."
    scored = [p for p in peer_entries if 1 in p.latency]
    if scored:
        top = max(scored, key=lambda p: p.auc)
        beat = [e for c in curves for e in c.points if e.auc > top.auc and 1 in e.latency
                and e.latency[1] < top.latency[1]]
        lines.append(f"Best classical peer: {top.name}, AUC {top.auc:.3f} at {top.latency[1]:.2f} ms (1 thread); "
                     + (f"{len(beat)} network(s) are both more accurate and faster: "
                        + ", ".join(f"`{e.name}` ({e.auc:.3f}, {e.latency[1]:.2f} ms)" for e in beat) + "."
                        if beat else "no network is both more accurate and faster."))
    return lines


def _mean_retention(c: FamilyCurve, budgets: list[float]) -> float:
    at = {round(e.budget, 6): e for e in c.points}
    return sum(c.retention(at[b]) for b in budgets) / len(budgets)


def render(curves: list[FamilyCurve], peer_entries: list[Entry], sources: list[str], plots: list[Path],
           keep: float) -> str:
    """Render the Markdown document."""
    out = ["# Compression study: CNN, transformer and hybrid trackers under structured pruning", "",
           "Generated by `light-tracker study` from " + ", ".join(f"`{s}`" for s in sources)
           + "; do not edit by hand, rerun the command after a new `light-tracker evaluate --json`.", "",
           "Budget: kept fraction of the prunable parameters (1.0 = the parent). AUC: mean success AUC over the "
           "evaluation sequences. Latency: median update time in ms with the backend of the evaluation run.",
           "", "## Findings", ""]
    out += [f"- {line}" for line in findings(curves, peer_entries, keep)]
    for c in curves:
        out += ["", f"## {c.label}", "", "| model | budget | params | AUC | AUC / parent | P@20 | ms, 1 thread "
                "| ms, 2 threads | speed-up, 1 thread |", "|---|---|---|---|---|---|---|---|---|"]
        for e in c.points:
            sp = c.speedup(e)
            out.append(f"| `{e.name}` | {e.budget:g} | {e.params if e.params else '-'} | {e.auc:.3f} | "
                       f"{c.retention(e):.2f} | {'-' if e.precision_20 is None else f'{e.precision_20:.3f}'} | "
                       f"{_ms(e, 1)} | {_ms(e, 2)} | {'-' if sp is None else f'{sp:.1f}x'} |")
    if peer_entries:
        out += ["", "## Classical peers (OpenCV)", "", "| tracker | AUC | ms, 1 thread | ms, 2 threads |",
                "|---|---|---|---|"]
        out += [f"| {p.name} | {p.auc:.3f} | {_ms(p, 1)} | {_ms(p, 2)} |" for p in peer_entries]
    out += ["", "## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots]
    return "\n".join(out) + "\n"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker study``."""
    parser = common.subparser(subparsers, "study", __doc__)
    parser.add_argument("--results", nargs="+", required=True, help="JSON reports of 'light-tracker evaluate --json'")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder of the document and plots")
    parser.add_argument("--exclude", nargs="*", default=[], metavar="NAME",
                        help="trackers of the reports to leave out (e.g. superseded children evaluated for comparison)")
    parser.add_argument("--keep", type=float, default=0.9,
                        help="a family 'breaks' at the first budget below this fraction of its parent's AUC")
    return parser


def run(args: argparse.Namespace) -> int:
    """Read the reports, write the plots and ``<out>/compression_study.md``."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    entries = [e for e in read_reports(args.results) if e.name not in set(args.exclude)]
    curves = family_curves(entries)
    if not curves:
        raise DatasetError("the reports hold no network with a model card (family); evaluate the parents and "
                           "children with 'light-tracker evaluate --json'")
    from light_tracker_ros.pruning import study_plots
    args.out.mkdir(parents=True, exist_ok=True)
    peer_entries = peers(entries)
    plots = [study_plots.auc_vs_budget(curves, args.out / "compression_auc_vs_budget.png"),
             study_plots.latency_vs_budget(curves, args.out / "compression_latency_vs_budget.png"),
             study_plots.auc_vs_latency(curves, peer_entries, args.out / "compression_auc_vs_latency.png")]
    doc = args.out / "compression_study.md"
    doc.write_text(render(curves, peer_entries, [str(p) for p in args.results], plots, args.keep))
    log.info("wrote %s and %d plots", doc, len(plots))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker study`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
