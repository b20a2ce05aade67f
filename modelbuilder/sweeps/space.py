"""The search-space JSON of a sweep: parse it into an `engine.tuning.SearchSpace`, and apply a
trial's values to the graph (`param@nodeId`) and to the run config (plain names).

    {"units@d1": {"type": "int", "min": 8, "max": 64, "step": 8},
     "learning_rate": {"type": "float", "min": 1e-4, "max": 1e-1, "log": true},
     "optimizer": {"type": "choice", "values": ["adam", "sgd"]}}

Types: int (min, max, step=1, log=false), float (min, max, log=false, step?), choice (values),
bool, fixed (value).
"""

import copy
import math
from typing import Any

from modelbuilder.core.errors import ApplicationError

MAX_PARAMS = 20
MAX_VALUES = 50
# Run-config keys a sweep may search; metrics and device stay those of the base config.
CONFIG_KEYS = (
    "learning_rate",
    "batch_size",
    "epochs",
    "optimizer",
    "validation_split",
    "loss",
    "seed",
    "standardize",
)
TYPES = ("int", "float", "choice", "bool", "fixed")


def space_error(name: str, message: str) -> ApplicationError:
    return ApplicationError(
        f"Search space {name!r}: {message}", code="invalid_search_space", details={"param": name}
    )


def split_name(name: str) -> tuple[str, str | None]:
    """'units@d1' → ('units', 'd1'); 'learning_rate' → ('learning_rate', None)."""
    param, sep, node = name.partition("@")
    return (param, node) if sep else (name, None)


def storable_text(value: str) -> bool:
    """No NUL and no lone surrogate (PostgreSQL stores neither)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= 200 and storable_text(value)
    return value is None or isinstance(value, (int, bool))


def _number(name: str, spec: dict, key: str, *, integer: bool, required: bool = True):
    value = spec.get(key)
    if value is None and not required:
        return None
    ok = (
        isinstance(value, int) and not isinstance(value, bool)
        if integer
        else (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    )
    if not ok or abs(value) > 1e12:
        kind = "an integer" if integer else "a finite number"
        raise space_error(name, f"{key!r} must be {kind}.")
    return value


def hyperparameter(name: str, spec: Any):
    """One spec → an engine hyper-parameter (Int, Float, Choice, Fixed)."""
    from engine.tuning import Boolean, Choice, Fixed, Float, Int

    if not isinstance(spec, dict) or spec.get("type") not in TYPES:
        raise space_error(name, f"needs an object with 'type' one of {', '.join(TYPES)}.")
    kind, log = spec["type"], spec.get("log", False)
    if not isinstance(log, bool):
        raise space_error(name, "'log' must be true or false.")
    if kind in ("int", "float"):
        integer = kind == "int"
        low = _number(name, spec, "min", integer=integer)
        high = _number(name, spec, "max", integer=integer)
        step = _number(name, spec, "step", integer=integer, required=False)
        if high < low:
            raise space_error(name, f"'min' ({low}) is above 'max' ({high}).")
        if log and low <= 0:
            raise space_error(name, "a log scale needs 'min' > 0.")
        if step is not None and step <= 0:
            raise space_error(name, "'step' must be positive.")
        if step is not None and (high - low) / step > 10_000:
            raise space_error(name, "'step' gives more than 10000 values.")
        if integer:
            return Int(low, high, step or 1, log)
        return Float(float(low), float(high), log, step)
    if kind == "choice":
        values = spec.get("values")
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_VALUES:
            raise space_error(name, f"'values' must be a list of 1 to {MAX_VALUES} values.")
        if not all(_scalar(v) for v in values):
            raise space_error(name, "'values' must be strings, numbers, booleans or null.")
        if len({repr(v) for v in values}) != len(values):
            raise space_error(name, "'values' repeat a value.")
        return Choice(values)
    if kind == "bool":
        return Boolean()
    if "value" not in spec or not _scalar(spec["value"]):
        raise space_error(name, "'fixed' needs a 'value' (a string, number, boolean or null).")
    return Fixed(spec["value"])


def space_parse(raw: Any):
    """The whole JSON → SearchSpace, names in sorted order. Checks syntax only.

    Sorted, because PostgreSQL's jsonb does not keep key order: an oracle rebuilt from the stored space
    must see the parameters in the same order as the one that proposed the first trials.
    """
    from engine.tuning import SearchSpace

    if not isinstance(raw, dict) or not raw:
        raise ApplicationError(
            "The search space must be an object with at least one parameter.",
            code="invalid_search_space",
        )
    if len(raw) > MAX_PARAMS:
        raise ApplicationError(
            f"The search space has more than {MAX_PARAMS} parameters.", code="invalid_search_space"
        )
    params = {}
    for name, spec in sorted(raw.items()):
        param, node = split_name(name)
        if not param or node == "" or (node is None and param not in CONFIG_KEYS):
            raise space_error(
                name,
                "name a layer parameter as 'param@nodeId' or a training setting "
                f"({', '.join(CONFIG_KEYS)}).",
            )
        params[name] = hyperparameter(name, spec)
    return SearchSpace(params)


def space_clean(raw: dict) -> dict:
    """The stored form of a parsed space: only the keys each type knows (nothing unstorable)."""
    keep = {"int": ("min", "max", "step", "log"), "float": ("min", "max", "step", "log"),
            "choice": ("values",), "bool": (), "fixed": ("value",)}  # fmt: skip
    return {
        name: {"type": spec["type"], **{k: spec[k] for k in keep[spec["type"]] if k in spec}}
        for name, spec in raw.items()
    }


def probe_values(hp) -> list:
    """The values worth checking before a sweep starts: the ends of a range, every choice."""
    from engine.tuning import Choice, Fixed

    if isinstance(hp, (Choice, Fixed)):
        return hp.grid()
    return [hp.from_unit(0.0), hp.from_unit(1.0)]


def graph_apply(graph: dict, params: dict) -> dict:
    """A copy of `graph` with every 'param@node' value set (also on nodes sharing that layer)."""
    out = copy.deepcopy(graph)
    for name, value in params.items():
        param, node_id = split_name(name)
        if node_id is None:
            continue
        for node in out.get("nodes", []):
            if node.get("id") == node_id or node.get("shared_with") == node_id:
                node.setdefault("params", {})[param] = value
    return out


def config_apply(config: dict, params: dict) -> dict:
    return {**config, **{k: v for k, v in params.items() if split_name(k)[1] is None}}


def graph_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if split_name(k)[1] is not None}
