"""``Progbar``: Keras' progress bar text (bar, ETA, time per step, log values)."""

from __future__ import annotations

import math
import sys
import time


def _format_time_per_unit(t, unit="step"):
    if t >= 1 or t == 0:
        return f" {t:.0f}s/{unit}"
    if t >= 1e-3:
        return f" {t * 1e3:.0f}ms/{unit}"
    return f" {t * 1e6:.0f}us/{unit}"


def _format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


def _format_value(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return f" {v}"
    return f" {v:.4f}" if abs(v) > 1e-3 or v == 0 else f" {v:.4e}"


class Progbar:
    """Keras' progress bar: ``12/32 ━━━━━━━─────── 1s 3ms/step - loss: 0.6931`` (verbose=1, redrawn in place
    on a terminal, printed once at the end of the epoch elsewhere) or one line per epoch (verbose=2)."""

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step", stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        self.dynamic = bool(getattr(self.stream, "isatty", lambda: False)()) or "ipykernel" in sys.modules
        self._start = time.time()
        self._last_update = 0.0
        self._prev_width = 0
        self._values = {}

    def _line(self, current, finalize):
        now = time.time()
        per_unit = (now - self._start) / current if current else 0.0
        info = ""
        if self.verbose == 2:
            n = int(math.log10(self.target)) + 1 if self.target else 1
            line = f"{current:{n}d}/{self.target} - {now - self._start:.0f}s -" + \
                _format_time_per_unit(per_unit, self.unit_name)
            for k, v in self._values.items():
                line += f" - {k}:" + _format_value(v)
            return line
        if self.target is not None:
            n = int(math.log10(self.target)) + 1 if self.target else 1
            done = int(self.width * current / self.target) if self.target else self.width
            bar = f"{current:{n}d}/{self.target} " + "━" * done + ("\x1b[2m" + "━" * (self.width - done) + "\x1b[0m"
                                                                     if done < self.width else "")
        else:
            bar = f"{current:7d}/Unknown"
        if self.target is not None and not finalize:
            info = " " + _format_eta(per_unit * (self.target - current))
        else:
            info = f" {now - self._start:.0f}s"
        info += _format_time_per_unit(per_unit, self.unit_name)
        for k, v in self._values.items():
            info += f" - {k}:" + _format_value(v)
        return bar + info

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            self._values[k] = v
        if not self.verbose:
            return
        now = time.time()
        if self.verbose == 1:
            if not finalize and (not self.dynamic or now - self._last_update < self.interval):
                return
            line = self._line(current, finalize)
            if self.dynamic:
                pad = max(self._prev_width - len(line), 0)
                self.stream.write("\r" + line + " " * pad)
                self._prev_width = len(line)
            else:
                self.stream.write(line)
            if finalize:
                self.stream.write("\n")
        elif self.verbose == 2 and finalize:
            self.stream.write(self._line(current, True) + "\n")
        self.stream.flush()
        self._last_update = now
