"""Values read from the graph JSON or a layer: node ids, safe layer names, shapes in the answer's form."""

from __future__ import annotations

import re


def _as_id(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def _safe_name(name: str) -> str:
    """Layer and model names become HDF5 group names: no '/', nothing exotic."""
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(name))[:80]
    return cleaned if cleaned and cleaned[0] not in ".-" else f"n{cleaned}"


def _normalize_shape(out):
    """A shape → [None, ...]; several shapes → [[...], ...]; anything else → None."""
    def one(s):
        if isinstance(s, (list, tuple)) and all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                                                for d in s):
            return [None if d is None else int(d) for d in s]
        return None

    if hasattr(out, "shape") and not isinstance(out, (list, tuple)):
        out = tuple(out.shape)
    single = one(out)
    if single is not None:
        return single
    if isinstance(out, (list, tuple)) and out:
        many = [one(tuple(s.shape) if hasattr(s, "shape") else s) for s in out]
        if all(m is not None for m in many):
            return many
    return None


def _is_multi(shape) -> bool:
    return isinstance(shape, list) and bool(shape) and isinstance(shape[0], list)


def _shape_list(shape) -> list:
    if shape is None:
        return []
    return shape if _is_multi(shape) else [shape]
