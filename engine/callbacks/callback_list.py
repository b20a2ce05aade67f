"""``CallbackList``: the callbacks of one ``fit`` / ``evaluate`` / ``predict`` called together."""

from __future__ import annotations

from engine.callbacks.base import _HOOKS, _batch_hooks_overridden
from engine.callbacks.history import History
from engine.callbacks.progbar_logger import ProgbarLogger


class CallbackList:
    """A list of callbacks called together (Keras' CallbackList). ``add_history`` puts a History first and sets
    ``model.history``; ``add_progbar`` adds a ProgbarLogger when ``params["verbose"]`` is set."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = list(callbacks or [])
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())  # after the user's callbacks, as Keras: it sees what they add
        if add_progbar and params.get("verbose") and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.model = None
        self.params = params
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    @property
    def wants_batch_logs(self) -> bool:
        """False when no callback looks at batches: the model may then skip computing per-batch logs."""
        return any(_batch_hooks_overridden(c) for c in self.callbacks)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_model(self, model):
        self.model = model
        for c in self.callbacks:
            c.set_model(model)
            if isinstance(c, History):
                model.history = c

    def set_params(self, params):
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def _call(self, hook, *args):
        for c in self.callbacks:
            getattr(c, hook)(*args)

    def __iter__(self):
        return iter(self.callbacks)


def _make_hook(name):
    if "batch" in name:
        def hook(self, batch, logs=None):
            self._call(name, batch, logs if logs is not None else {})
    elif "epoch" in name:
        def hook(self, epoch, logs=None):
            self._call(name, epoch, logs if logs is not None else {})
    else:
        def hook(self, logs=None):
            self._call(name, logs if logs is not None else {})
    hook.__name__ = name
    return hook


for _name in _HOOKS:
    setattr(CallbackList, _name, _make_hook(_name))
