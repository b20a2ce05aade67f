"""One parameter's entry (``_param_spec``): name, type, default, required, min, max, choices and help, from the
``__init__`` signature and the tables, with registry-backed choice lists filled in."""

from __future__ import annotations

import functools
import inspect

from engine.catalog.param_info import _HIDDEN, _TUPLE_PARAMS, ACT, CONS, INIT, PARAM_INFO, REG, _p
from engine.layers.base import Layer as LAYER_BASE
from engine.registry import snake_case


def _init_params(cls):
    """The parameters of ``cls.__init__`` minus hidden ones; with ``**kwargs``, also the base Layer's
    (``activity_regularizer``), which such layers pass up."""
    out = {}
    sources = [cls.__init__]
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        sources.append(LAYER_BASE.__init__)
    for init in sources:
        for pname, param in inspect.signature(init).parameters.items():
            if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or pname in out or pname == "self":
                continue
            if pname in _HIDDEN and param.default is not param.empty:
                continue
            out[pname] = param
    return list(out.items())


def _param_spec(layer: str, name: str, default, override: dict) -> dict:
    base = dict(PARAM_INFO.get(name) or _guess(name, default))
    base.update(override)
    required = default is inspect.Parameter.empty
    value = None if required else _jsonable(default)
    if "default" in base:  # a suggested value for a required parameter the form can't build (nested layers)
        value = base.pop("default")
    if base["type"] == "choice" and isinstance(base["choices"], str):
        base["choices"] = _choices(base["choices"])
    if base["type"] == "choice" and isinstance(value, str) and base["choices"] and value not in base["choices"]:
        base["choices"] = [value, *base["choices"]]
    return {"name": name, "type": base["type"], "default": value, "required": required, "min": base.get("min"),
            "max": base.get("max"), "choices": base.get("choices"),
            "help": base.get("help") or name.replace("_", " ").capitalize() + "."}


def _guess(name: str, default) -> dict:
    for suffix, kind, what in (("_initializer", INIT, "Initializer"), ("_regularizer", REG, "Penalty"),
                               ("_constraint", CONS, "Constraint")):
        if name.endswith(suffix):
            return _p("choice", f"{what} of the {name[: -len(suffix)].replace('_', ' ')} weights.", choices=kind)
    if name in _TUPLE_PARAMS or isinstance(default, (tuple, list)):
        return _p("int_or_tuple", "")
    if isinstance(default, bool):
        return _p("bool", "")
    if isinstance(default, int):
        return _p("int", "")
    if isinstance(default, float):
        return _p("float", "")
    return _p("string", "")


@functools.cache
def _choices_cached(kind: str) -> tuple[str, ...]:
    if kind == ACT:
        from engine import activations  # noqa: PLC0415

        names = [n for n in activations.ACTIVATIONS.names() if n != "linear"]
        return ("linear", *names)
    if kind == INIT:
        from engine import initializers  # noqa: PLC0415

        return tuple(snake_case(n) for n in initializers.INITIALIZERS.names())
    if kind == REG:
        from engine import regularizers  # noqa: PLC0415

        return tuple(snake_case(n) for n in regularizers.REGULARIZERS.names())
    if kind == CONS:
        from engine import constraints  # noqa: PLC0415

        return tuple(snake_case(n) for n in constraints.CONSTRAINTS.names())
    return ()


def _choices(kind: str) -> list[str]:
    return list(_choices_cached(kind))


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) else None
