"""``_CallbackList``: the callbacks of one ``fit`` / ``evaluate`` call, with ``model.history`` set up."""

from __future__ import annotations

from engine.callbacks import Callback, History, ProgbarLogger


class _CallbackList:
    """The model's callbacks, then History, then ProgbarLogger when verbose (Keras 3's order: History sees the
    logs after the user's callbacks wrote to them, e.g. ReduceLROnPlateau's ``learning_rate``). Unlike
    ``engine.callbacks.CallbackList`` it takes duck-typed callbacks (any object with some of the hooks) and calls
    the batch hooks only on the callbacks that override one, so an epoch with none costs no per-batch calls."""

    _BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
                    "on_batch_begin", "on_batch_end")

    def __init__(self, model, callbacks, verbose: int, params: dict, history: bool = True):
        self.callbacks = list(callbacks or [])
        if history:
            model.history = History()
            self.callbacks.append(model.history)
        if verbose and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        for c in self.callbacks:
            c.set_model(model) if hasattr(c, "set_model") else setattr(c, "model", model)
            c.set_params(params) if hasattr(c, "set_params") else setattr(c, "params", params)
        self._batch_callbacks = [c for c in self.callbacks if any(
            getattr(type(c), h, None) is not getattr(Callback, h, None) for h in self._BATCH_HOOKS)]
        self.wants_batch_logs = bool(self._batch_callbacks)
        self.watches_test_batches = any(getattr(type(c), h, None) is not getattr(Callback, h, None)
                                        for c in self.callbacks for h in ("on_test_batch_begin", "on_test_batch_end"))

    def call(self, hook: str, *args) -> None:
        for c in self.callbacks:
            fn = getattr(c, hook, None)
            if fn is not None:
                fn(*args)

    def batch(self, hook: str, step: int, logs=None) -> None:
        for c in self._batch_callbacks:
            fn = getattr(c, hook, None)
            if fn is not None:
                fn(step, logs if logs is not None else {})
