"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from engine.callbacks.base import _HOOKS, Callback


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Batch hooks given here are installed on a per-instance subclass, so a model that looks at the class
    to decide whether to compute per-batch logs sees them."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        unknown = set(given) - set(_HOOKS)
        if unknown:
            raise TypeError(f"LambdaCallback received unknown hooks: {sorted(unknown)}. Expected: {list(_HOOKS)}")
        methods = {}
        for name, fn in given.items():
            if fn is None:
                continue
            methods[name] = (lambda f: (lambda self, *args, **kw: f(*args, **kw)))(fn)
        if methods:
            self.__class__ = type("LambdaCallback", (LambdaCallback,), methods)
