"""``TensorBoard``: accepted so Keras code runs; writes the epoch logs as CSV instead of event files."""

from __future__ import annotations

import os
import warnings

from engine.callbacks.base import Callback
from engine.callbacks.csv_logger import CSVLogger


class TensorBoard(Callback):
    """Accepted so Keras code runs unchanged; TensorBoard event files are not written. The epoch logs go to
    ``<log_dir>/train/epoch_logs.csv`` instead (a warning says so once)."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self._csv = None

    def on_train_begin(self, logs=None):
        warnings.warn("TensorBoard event files are not written by this engine; epoch logs are written to "
                      f"{os.path.join(self.log_dir, 'train', 'epoch_logs.csv')} instead.", stacklevel=2)
        os.makedirs(os.path.join(self.log_dir, "train"), exist_ok=True)
        self._csv = CSVLogger(os.path.join(self.log_dir, "train", "epoch_logs.csv"))
        self._csv.on_train_begin(logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._csv is not None:
            self._csv.on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        if self._csv is not None:
            self._csv.on_train_end(logs)
