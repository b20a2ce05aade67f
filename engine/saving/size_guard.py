"""Refuse absurd weight sizes *before* anything is allocated (a config with ``units=10**12``).

While a model is rebuilt from a file, every layer created by the loader gets an instance-level
``add_weight`` that checks the element count of each new weight against a budget first.
"""

from __future__ import annotations

import contextlib
import contextvars
import math

from engine.saving.errors import ModelFileError

DEFAULT_MAX_ELEMENTS = 2**30  # 4 GiB of float32 for all weights of one model file

_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("engine_saving_budget", default=None)


class _Budget:
    def __init__(self, limit: int):
        self.limit = int(limit)
        self.used = 0
        self.guarded: list = []

    def take(self, layer_name: str, weight_name: str, shape) -> None:
        try:
            dims = [int(s) for s in shape]
        except (TypeError, ValueError):
            raise ModelFileError(f"Layer {layer_name!r}: weight {weight_name!r} has an unreadable shape "
                                 f"{shape!r}.") from None
        if any(d < 0 for d in dims):
            raise ModelFileError(f"Layer {layer_name!r}: weight {weight_name!r} would have a negative "
                                 f"dimension {tuple(dims)}; the config is invalid.")
        n = math.prod(dims)
        if self.used + n > self.limit:
            raise ModelFileError(f"Layer {layer_name!r}: weight {weight_name!r} of shape {tuple(dims)} "
                                 f"({n} elements) exceeds the size limit of {self.limit} elements for a model "
                                 f"file; the config asks for absurd sizes (or raise max_weight_elements).")
        self.used += n


def current_limit() -> int | None:
    budget = _budget.get()
    return None if budget is None else budget.limit


def guard_layer(layer) -> None:
    """Wrap ``layer.add_weight`` (and its sub-layers') with the current budget, if a load is running."""
    budget = _budget.get()
    if budget is None:
        return
    stack = [layer]
    while stack:
        item = stack.pop()
        if "add_weight" in item.__dict__:
            continue
        original = item.add_weight

        def add_weight(name, shape, *args, _orig=original, _layer=item, **kwargs):
            budget.take(_layer.name, name, shape)
            return _orig(name, shape, *args, **kwargs)

        object.__setattr__(item, "add_weight", add_weight)
        budget.guarded.append(item)
        stack.extend(item.__dict__.get("_layers", []))


@contextlib.contextmanager
def weight_budget(limit: int = DEFAULT_MAX_ELEMENTS):
    budget = _Budget(limit)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)
        for item in budget.guarded:
            item.__dict__.pop("add_weight", None)
