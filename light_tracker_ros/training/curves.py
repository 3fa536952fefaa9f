# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training curves as a PNG: loss against minutes, and validation IoU where the run validated."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def plot_history(history: list[dict[str, Any]], path: Path, title: str) -> None:
    """Training loss (``total``) and validation IoU (``val_iou``) against training minutes, as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    train_rows = [h for h in history if "total" in h]
    val_rows = [h for h in history if "val_iou" in h]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    if train_rows:
        minutes = np.array([h["minutes"] for h in train_rows])
        total = np.array([h["total"] for h in train_rows])
        kernel = np.ones(min(10, len(total))) / min(10, len(total))
        ax1.plot(minutes, total, alpha=0.3, color="C0")
        ax1.plot(minutes[len(kernel) - 1:], np.convolve(total, kernel, mode="valid"), color="C0", label="train loss")
        ax1.set_xlabel("training minutes")
        ax1.set_ylabel("loss")
        ax1.legend()
    if val_rows:
        ax2.plot([h["minutes"] for h in val_rows], [h["val_iou"] for h in val_rows], "o-", color="C1",
                 label="val IoU (held-out composites)")
        ax2.set_xlabel("training minutes")
        ax2.set_ylabel("mean IoU")
        ax2.legend()
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
