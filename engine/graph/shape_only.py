"""Shape-only build: the weights a layer would create, counted without allocating them (``param_shapes``)."""

from __future__ import annotations

import math

from engine.layers.base import Layer


def param_shapes(layer: Layer, input_shape) -> list[tuple[tuple[int, ...], bool]]:
    """(shape, trainable) of each weight ``layer.build(input_shape)`` would create, allocating nothing.

    ``add_weight`` of the layer and its tracked sub-layers is replaced, on the instances only (thread-safe),
    by a recorder; ``layer`` is spent afterwards (built with placeholder weights). Weights created by
    sub-layers that appear only during ``build`` are real and are counted from ``layer.weights``.
    """
    recorded: list[tuple[tuple[int, ...], bool]] = []
    for sub in _walk(layer):
        object.__setattr__(sub, "add_weight", _recorder(sub, recorded))
    layer.build(input_shape)
    layer.built = True
    recorded += [(tuple(int(s) for s in w.shape), bool(w.trainable)) for w in layer.weights]
    return recorded


def param_count(layer: Layer, input_shape) -> int:
    """Number of weights ``layer`` would have once built on ``input_shape``, without allocating them."""
    return sum(math.prod(shape) for shape, _ in param_shapes(layer, input_shape))


class _Placeholder:
    """A weight that was never allocated: it has a shape, and swallows whatever build does with it."""

    def __init__(self, name, shape, trainable, dtype):
        self.name, self.shape, self.trainable, self.dtype = name, shape, trainable, dtype
        self.regularizer = self.constraint = None

    def __getattr__(self, item):
        return _Sink()

    def __getitem__(self, item):
        return _Sink()

    def __setitem__(self, item, value):
        pass


class _Sink:
    def __getattr__(self, item):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, item):
        return self

    def __setitem__(self, item, value):
        pass


def _recorder(layer: Layer, recorded: list):
    def add_weight(name, shape, initializer="glorot_uniform", regularizer=None, constraint=None, trainable=True,
                   dtype=None, **_):
        shape = tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError(f"weight {name!r} would have a negative dimension: {shape}")
        effective = bool(trainable and layer.trainable)
        recorded.append((shape, effective))
        return _Placeholder(name, shape, effective, dtype or layer.dtype)

    return add_weight


def _walk(layer: Layer):
    seen, stack = set(), [layer]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += list(item.__dict__.get("_layers", []))
