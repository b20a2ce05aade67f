"""``ModelCheckpoint``: save the model or its weights every epoch / every N batches, or only the best."""

from __future__ import annotations

import math
import os
import warnings

from engine.callbacks.base import Callback
from engine.callbacks.monitor import _monitor_mode


class ModelCheckpoint(Callback):
    """Save the model (``model.save``) or its weights (``model.save_weights``) after each epoch, or every
    ``save_freq`` batches; ``filepath`` may hold ``{epoch:02d}`` and any log key (``{val_loss:.2f}``)."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer > 0")
        self.save_freq = save_freq
        self.mode = _monitor_mode("ModelCheckpoint", monitor, mode)
        self.best = initial_value_threshold if initial_value_threshold is not None else \
            (-math.inf if self.mode == "max" else math.inf)
        self._batches_seen = 0
        self._current_epoch = 0

    def _better(self, current) -> bool:
        return current > self.best if self.mode == "max" else current < self.best

    def _get_file_path(self, epoch, batch, logs) -> str:
        try:
            if batch is None or "batch" in (logs or {}):
                return self.filepath.format(epoch=epoch + 1, **(logs or {}))
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **(logs or {}))
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}. '
                           f"Available keys: epoch, batch, {', '.join((logs or {}).keys())}") from None

    def _write(self, filepath):
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)

    def _save(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2)
                return
            current = float(current)
            if self._better(current):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                          f"saving model to {filepath}")
                self.best = current
                self._write(filepath)
            elif self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
            return
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        self._write(filepath)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)
