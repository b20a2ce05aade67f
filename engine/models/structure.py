"""Nested inputs and outputs (lists, tuples, dicts of tensors or shapes): ``flatten``, ``map_structure``, and
shapes wrapped as single leaves so that a shape tuple is not taken for a nest of ints."""

from __future__ import annotations

import numpy as np


class _Leaf(tuple):
    """A shape wrapped so that map_structure treats it as one leaf."""

    def __new__(cls, shape):
        return tuple.__new__(cls, (tuple(shape),))


def flatten(struct) -> list:
    if isinstance(struct, _Leaf):
        return [struct[0]]
    if isinstance(struct, (list, tuple)):
        return [leaf for item in struct for leaf in flatten(item)]
    if isinstance(struct, dict):
        return [leaf for key in struct for leaf in flatten(struct[key])]
    return [struct]


def map_structure(fn, struct):
    if isinstance(struct, _Leaf):
        return fn(struct[0])
    if isinstance(struct, list):
        return [map_structure(fn, s) for s in struct]
    if isinstance(struct, tuple):
        return tuple(map_structure(fn, s) for s in struct)
    if isinstance(struct, dict):
        return {k: map_structure(fn, v) for k, v in struct.items()}
    return fn(struct)


def _is_shape(s) -> bool:
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _shape_struct(shapes):
    """Nested lists of shapes → the same nesting with each shape wrapped as a leaf."""
    if _is_shape(shapes):
        return _Leaf(shapes)
    if isinstance(shapes, dict):
        return {k: _shape_struct(v) for k, v in shapes.items()}
    return [_shape_struct(s) for s in shapes]


def _plain(struct):
    """Tuples → lists (JSON)."""
    if isinstance(struct, (list, tuple)):
        return [_plain(s) for s in struct]
    if isinstance(struct, dict):
        return {k: _plain(v) for k, v in struct.items()}
    return struct
