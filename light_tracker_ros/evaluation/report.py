# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Evaluation reports: a plain-text table and a JSON file that holds enough to re-score the run.

The JSON holds, for every tracker, sequence and frame, the predicted box (pixels x, y, w, h; null when the
tracker had not started) and the update time in ms (also from each shifted start box when run with jitter),
plus each sequence's ground truth, the metrics, the model cards, thread counts and machine information.
:func:`read_json` recomputes every metric from those records.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from light_tracker_ros.core.errors import DatasetError
from light_tracker_ros.evaluation.metrics import IOU_THRESHOLDS, NORM_THRESHOLDS, PIXEL_THRESHOLDS, score_sequence
from light_tracker_ros.evaluation.runner import (EvaluationResult, LatencyStats, SequenceInfo, SequenceRun,
                                                 TrackerEntry)

FORMAT = "light_tracker_ros.evaluation/1"
COLUMNS = ("AUC", "P@20", "NormP", "ms/frame", "fps", "scored")


def _fmt(value: float, digits: int) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def format_table(result: EvaluationResult) -> str:
    """Per-sequence and mean rows: success AUC, precision@20px, normalised precision, ms/frame, fps."""
    names = [e.name for e in result.trackers]
    seq_width = max([len("sequence")] + [len(s.name) for s in result.sequences] + [len("MEAN")])
    trk_width = max([len("tracker")] + [len(n) for n in names])
    header = f"{'sequence':<{seq_width}}  {'tracker':<{trk_width}}" + "".join(f"{c:>10}" for c in COLUMNS)
    lines = [header, "-" * len(header)]

    def row(label: str, name: str, scores: Any) -> str:
        cells = (_fmt(scores.auc, 3), _fmt(scores.precision_20, 3), _fmt(scores.norm_precision, 3),
                 _fmt(scores.ms_per_frame, 2), _fmt(scores.fps, 1), str(scores.n_scored))
        return f"{label:<{seq_width}}  {name:<{trk_width}}" + "".join(f"{c:>10}" for c in cells)

    for seq in result.sequences:
        lines += [row(seq.name, name, result.runs[name][seq.name].metrics) for name in names]
        lines.append("")
    lines += [row("MEAN", name, result.mean(name)) for name in names]
    if result.shifted:
        lines += ["", format_spread(result)]
    if result.latency:
        lines += ["", format_latency(result.latency)]
    return "\n".join(lines)


def format_spread(result: EvaluationResult) -> str:
    """Mean AUC over the ground-truth start and the shifted starts: mean, sample sd, min and max per tracker."""
    jitter = result.settings.get("jitter_px")
    names = [e.name for e in result.trackers]
    width = max([len("tracker")] + [len(n) for n in names])
    header = f"{'tracker':<{width}}" + "".join(f"{c:>10}" for c in ("starts", "AUC mean", "sd", "min", "max"))
    lines = [f"mean AUC from start boxes shifted by +-{jitter:g} px in x and y (and unshifted)", header,
             "-" * len(header)]
    for name in names:
        spread = result.spread(name)
        cells = (str(len(spread.aucs)), _fmt(spread.mean, 3), _fmt(spread.sd, 3), _fmt(min(spread.aucs), 3),
                 _fmt(max(spread.aucs), 3))
        lines.append(f"{name:<{width}}" + "".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)


def format_latency(latency: dict[str, dict[int, LatencyStats]]) -> str:
    """Latency table: mean (median) update time in ms per tracker and thread count."""
    counts = sorted({t for per in latency.values() for t in per})
    width = max([len("tracker")] + [len(n) for n in latency])
    header = f"{'tracker':<{width}}" + "".join(f"{f'{t} thread' + ('s' if t > 1 else ''):>20}" for t in counts)
    lines = ["update latency, ms: mean (median)", header, "-" * len(header)]
    for name, per in latency.items():
        cells = [f"{_fmt(per[t].mean_ms, 2)} ({_fmt(per[t].median_ms, 2)})" if t in per else "-" for t in counts]
        lines.append(f"{name:<{width}}" + "".join(f"{c:>20}" for c in cells))
    return "\n".join(lines)


def machine_info() -> dict[str, Any]:
    """Platform, CPU and library versions of this machine."""
    import cv2
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(),
                            "python": platform.python_version(), "cpu_count": os.cpu_count(),
                            "numpy": np.__version__, "opencv": cv2.__version__}
    if hasattr(os, "sched_getaffinity"):
        info["cpus_available"] = len(os.sched_getaffinity(0))
    try:
        model = [ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")]
        info["cpu_model"] = model[0].split(":", 1)[1].strip() if model else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    for module in ("onnxruntime", "torch"):
        if module in sys.modules:
            info[module] = getattr(sys.modules[module], "__version__", "unknown")
    return info


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy to lists, non-finite floats to null, tuples to lists."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _array(rows: list, width: int | None = None) -> np.ndarray:
    data = [[math.nan if v is None else v for v in r] if width else (math.nan if r is None else r) for r in rows]
    arr = np.asarray(data, dtype=np.float64)
    return arr.reshape(-1, width) if width else arr


def _run_record(run: SequenceRun) -> dict[str, Any]:
    return {"metrics": dataclasses.asdict(run.metrics), "init_index": run.init_index,
            "init_ms": round(run.init_ms, 4), "stage_ms": run.stage_ms,
            "boxes": run.boxes, "times_ms": np.round(run.times_ms, 4), "scores": run.scores}


def _read_run(rec: dict[str, Any], seq: SequenceInfo) -> SequenceRun:
    run = SequenceRun(_array(rec["boxes"], 4), _array(rec["times_ms"]), _array(rec["scores"]),
                      rec["init_index"], rec["init_ms"] if rec["init_ms"] is not None else math.nan,
                      rec.get("stage_ms", {}))
    run.metrics = score_sequence(run.boxes, seq.groundtruth, run.times_ms, run.init_index)
    return run


def to_dict(result: EvaluationResult) -> dict[str, Any]:
    """Return the whole result as a JSON-ready dict (see the module docstring)."""
    trackers = {e.name: {"kind": e.kind, "source": e.source, "backend": e.backend, "card": e.card,
                         "threads": result.threads} for e in result.trackers}
    results = {name: {seq: _run_record(run) for seq, run in per_seq.items()} for name, per_seq in result.runs.items()}
    shifted = {name: {label: {seq: _run_record(run) for seq, run in per_seq.items()}
                      for label, per_seq in per_start.items()} for name, per_start in result.shifted.items()}
    spread = {e.name: {"starts": result.spread(e.name).starts, "auc": result.spread(e.name).aucs,
                       "mean": result.spread(e.name).mean, "sd": result.spread(e.name).sd}
              for e in result.trackers} if result.shifted else {}
    return _plain({
        "format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine_info(),
        "settings": {**result.settings, "threads": result.threads,
                     "latency_threads": sorted({t for per in result.latency.values() for t in per})},
        "definitions": {"box": "pixels x, y, w, h; (x, y) top-left corner", "iou_thresholds": IOU_THRESHOLDS,
                        "success": "IoU > threshold; AUC = mean of the 21-point curve",
                        "precision_pixel_thresholds": PIXEL_THRESHOLDS, "precision_20": "centre distance <= 20 px",
                        "norm_precision_thresholds": NORM_THRESHOLDS,
                        "skipped_frames": "NaN ground truth and the initialisation frame"},
        "trackers": trackers,
        "sequences": {s.name: {"source": s.source, "groundtruth": s.groundtruth} for s in result.sequences},
        "results": results,
        "shifted_results": shifted,
        "spread": spread,
        "mean": {e.name: dataclasses.asdict(result.mean(e.name)) for e in result.trackers},
        "latency": {name: {str(t): dataclasses.asdict(stats) for t, stats in per.items()}
                    for name, per in result.latency.items()},
    })


def write_json(result: EvaluationResult, path: str | Path) -> Path:
    """Write the result to ``path`` (parent folders created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_dict(result), indent=1) + "\n")
    return path


def _not_runnable(name: str):
    def make(_threads: int) -> Any:
        raise DatasetError(f"tracker {name} was read from a report and cannot be run again")
    return make


def read_json(path: str | Path) -> EvaluationResult:
    """
    Read a report written by :func:`write_json`, re-scoring every run from its stored boxes and times.

    :raises DatasetError: the file is missing, not JSON, or not in this format.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read evaluation report {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DatasetError(f"{path} is not an evaluation report of format {FORMAT}")
    entries = [TrackerEntry(name, t["kind"], t["source"], _not_runnable(name), t.get("backend"), t.get("card"))
               for name, t in data["trackers"].items()]
    sequences = [SequenceInfo(name, s["source"], _array(s["groundtruth"], 4)) for name, s in data["sequences"].items()]
    runs = {name: {seq.name: _read_run(per_seq[seq.name], seq) for seq in sequences}
            for name, per_seq in data["results"].items()}
    shifted = {name: {label: {seq.name: _read_run(per_seq[seq.name], seq) for seq in sequences}
                      for label, per_seq in per_start.items()}
               for name, per_start in data.get("shifted_results", {}).items()}
    latency = {name: {int(t): LatencyStats(**{k: (math.nan if v is None else v) for k, v in stats.items()})
                      for t, stats in per.items()} for name, per in data.get("latency", {}).items()}
    settings = data.get("settings", {})
    return EvaluationResult(entries, sequences, runs, int(settings.get("threads", 1)), latency, settings, shifted)
