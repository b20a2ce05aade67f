"""``Callback``: the Keras hooks, each doing nothing; ``get`` for symmetry with the other modules."""

from __future__ import annotations

_HOOKS = ("on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
          "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end", "on_train_batch_begin",
          "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
          "on_predict_batch_end")


class Callback:
    """Base class: every hook does nothing. ``on_train_batch_*`` fall back to ``on_batch_*`` (Keras 2 names)."""

    def __init__(self):
        self.model = None
        self.params = {}
        self.validation_data = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_batch_begin(self, batch, logs=None):
        """Keras 2 name of on_train_batch_begin."""

    def on_batch_end(self, batch, logs=None):
        """Keras 2 name of on_train_batch_end."""

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass


def _batch_hooks_overridden(cb) -> bool:
    hooks = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")
    return any(getattr(type(cb), h, None) is not getattr(Callback, h, None) for h in hooks)


def get(identifier):
    """Callbacks are objects; kept for symmetry with the other modules."""
    if isinstance(identifier, Callback):
        return identifier
    raise ValueError(f"Could not interpret callback identifier: {identifier!r}. Expected a Callback instance.")
