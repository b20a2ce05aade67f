"""``ProgbarLogger``: "Epoch 3/10" and a progress bar per epoch, evaluation and prediction."""

from __future__ import annotations

import sys

from engine.callbacks.base import Callback
from engine.callbacks.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints "Epoch 3/10" and a progress bar per epoch (params["verbose"]: 1 = bar with ETA, 2 = one line)."""

    def __init__(self, count_mode="steps", stateful_metrics=None, stream=None):
        super().__init__()
        self.stream = stream
        self.verbose, self.epochs, self.target = 1, 1, None
        self.progbar = None
        self.seen = 0
        self._in_fit = False

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _new_bar(self):
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose, stream=self.stream)

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar()
        if self.verbose and self.epochs > 1:
            stream = self.stream or sys.stdout
            stream.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            stream.flush()

    def on_train_batch_end(self, batch, logs=None):
        if self.progbar is None:
            self._new_bar()
        self.seen = batch + 1
        self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.progbar is None:
            self._new_bar()
        if self.target is None:
            self.target = self.progbar.target = self.seen or 1
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit and self.progbar is not None:
            self.seen = batch + 1
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self._in_fit and self.progbar is not None:
            self.progbar.update(self.target or self.seen or 1, list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        if self.progbar is not None:
            self.seen = batch + 1
            self.progbar.update(self.seen, finalize=False)

    def on_predict_end(self, logs=None):
        if self.progbar is not None:
            self.progbar.update(self.target or self.seen or 1, finalize=True)
