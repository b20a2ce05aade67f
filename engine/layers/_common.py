"""Small helpers shared by the conv/pooling/normalization/recurrent/merge/reshaping layers."""

from __future__ import annotations

import numbers

from engine import activations, constraints, initializers, regularizers


def fmt(shape) -> str:
    """A shape as Keras prints it: (None, 28, 28, 1), (3,)."""
    shape = tuple(shape)
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly positive value. "
                         f"Received {name}={value!r}.")
    return int(value)


def int_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or n ints → an n-tuple of positive (or non-negative) ints, with Keras' wording on errors."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            out = ()
        if len(out) != n:
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}")
    low = 0 if allow_zero else 1
    if any(v < low for v in out):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} "
                         f"{'non-negative' if allow_zero else 'positive'} integers. Received {name}={value!r}")
    return out


def check_choice(value, name: str, choices) -> str:
    value = value.lower() if isinstance(value, str) else value
    if value not in choices:
        raise ValueError(f"The `{name}` argument must be one of {', '.join(repr(c) for c in choices)}. "
                         f"Received: {name}={value!r}")
    return value


def data_format(value) -> str:
    return check_choice(value or "channels_last", "data_format", ("channels_last", "channels_first"))


def rate(value, name: str = "rate") -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float value between 0 and 1. "
                         f"Received: {name}={value!r}")
    return float(value)


def activation_name(fn) -> str | None:
    try:
        return activations.serialize(fn)
    except (ValueError, KeyError, TypeError):
        return None


def serialize_activation(fn):
    return activation_name(fn) or getattr(fn, "__name__", str(fn))


def weight_args(obj, prefix: str, initializer, regularizer=None, constraint=None) -> None:
    """Set ``<prefix>_initializer/_regularizer/_constraint`` on ``obj`` (resolved objects)."""
    setattr(obj, f"{prefix}_initializer", initializers.get(initializer))
    setattr(obj, f"{prefix}_regularizer", regularizers.get(regularizer))
    setattr(obj, f"{prefix}_constraint", constraints.get(constraint))


def weight_config(obj, prefix: str, regularizer=True, constraint=True) -> dict:
    out = {f"{prefix}_initializer": initializers.serialize(getattr(obj, f"{prefix}_initializer"))}
    if regularizer:
        out[f"{prefix}_regularizer"] = regularizers.serialize(getattr(obj, f"{prefix}_regularizer"))
    if constraint:
        out[f"{prefix}_constraint"] = constraints.serialize(getattr(obj, f"{prefix}_constraint"))
    return out


def add(layer, prefix: str, name: str, shape, trainable: bool = True):
    """``layer.add_weight`` with the layer's ``<prefix>_*`` initializer, regularizer and constraint."""
    return layer.add_weight(name, shape, getattr(layer, f"{prefix}_initializer"),
                            getattr(layer, f"{prefix}_regularizer", None),
                            getattr(layer, f"{prefix}_constraint", None), trainable=trainable)


def expect_rank(layer, shape, ndim: int, what: str = "") -> tuple:
    shape = tuple(shape)
    if len(shape) != ndim:
        raise ValueError(f"Input 0 of layer '{layer.name}' is incompatible with the layer: expected ndim={ndim}, "
                         f"found ndim={len(shape)}. Full shape received: {fmt(shape)}{what}")
    return shape
