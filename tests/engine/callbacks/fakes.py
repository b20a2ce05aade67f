"""What the callback tests share: a model with only what callbacks use, and a minimal fit loop."""

from __future__ import annotations

import numpy as np

from engine import callbacks as C
from engine import optimizers


class FakeModel:
    """What callbacks need of a model: weights, save, an optimizer, stop_training."""

    def __init__(self, lr=0.1):
        self.w = np.zeros(2)
        self.stop_training = False
        self.optimizer = optimizers.SGD(learning_rate=lr)
        self.saved = []

    def get_weights(self):
        return [self.w.copy()]

    def set_weights(self, weights):
        self.w = weights[0].copy()

    def save(self, path, overwrite=True):
        self.saved.append(("model", path))
        open(path, "w").close()

    def save_weights(self, path, overwrite=True):
        self.saved.append(("weights", path))
        open(path, "w").close()


def fit(model, cbs, epoch_logs, steps=3, verbose=0):
    """A minimal fit loop: epoch e sets the weights to [e, e] and reports epoch_logs[e]."""
    cl = C.CallbackList(cbs, add_history=True, model=model, epochs=len(epoch_logs), steps=steps, verbose=verbose)
    model.stop_training = False
    cl.on_train_begin()
    ran = []
    for epoch, logs in enumerate(epoch_logs):
        cl.on_epoch_begin(epoch)
        for step in range(steps):
            cl.on_train_batch_begin(step)
            cl.on_train_batch_end(step, {"loss": logs.get("loss", 1.0)})
        model.w = np.full(2, float(epoch))
        logs = dict(logs)
        cl.on_epoch_end(epoch, logs)
        ran.append(epoch)
        if model.stop_training:
            break
    cl.on_train_end(logs)
    return ran
