"""``TerminateOnNaN``: stop training at the first NaN or infinite batch loss."""

from __future__ import annotations

import numpy as np

from engine.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
