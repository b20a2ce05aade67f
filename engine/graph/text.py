"""Messages: shapes, values and nodes as a person reads them, and the length limit of every message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.graph.state import _Analysis


_MAX_MESSAGE = 400


def _fmt(shape) -> str:
    dims = ["None" if d is None else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def _fmt_weights(shapes) -> str:
    return ", ".join(_fmt(s) if s else "()" for s, _ in shapes) or "none"


def _describe_inputs(sources, shapes) -> str:
    if len(sources) == 1:
        return f"input shape {_fmt(shapes[0])} from {sources[0]!r}"
    return "input shapes " + ", ".join(f"{_fmt(s)} from {src!r}" for src, s in zip(sources, shapes))


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"missing {text}"
    return _clip(text)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _label(a: _Analysis, nid) -> str:
    node = a.nodes.get(nid)
    if node is None:
        return f"Node {nid!r}"
    return f"{node.layer} {nid!r}" if node.layer != "?" else f"Node {nid!r}"


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
