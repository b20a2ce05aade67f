"""Which way a monitored metric improves (``mode="auto"``): shared by EarlyStopping and ModelCheckpoint."""

from __future__ import annotations

import warnings

_MAX_WORDS = ("acc", "auc", "precision", "recall", "fmeasure", "f1", "iou", "r2")


def _auto_maximize(monitor: str) -> bool:
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return any(w in name for w in _MAX_WORDS) and "loss" not in name and "error" not in name


def _monitor_mode(cls_name, monitor, mode):
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{cls_name} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=3)
        mode = "auto"
    if mode == "auto":
        mode = "max" if _auto_maximize(monitor) else "min"
    return mode
