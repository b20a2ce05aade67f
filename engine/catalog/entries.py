"""``catalog()``: one entry per registered layer (plus ``Input``), in palette order."""

from __future__ import annotations

import functools
import inspect

from engine.catalog.layer_info import GROUPS, LAYER_INFO
from engine.catalog.layers import input_arity, is_model_class, layer_group, load_layers
from engine.catalog.params import _init_params, _param_spec
from engine.layers.base import LAYERS


def catalog() -> list[dict]:
    """Every registered layer (plus ``Input``), grouped in palette order. Fresh list each call."""
    load_layers()
    return [dict(entry, params=[dict(p) for p in entry["params"]]) for entry in _catalog(tuple(LAYERS.names()))]


@functools.cache
def _catalog(names: tuple[str, ...]) -> list[dict]:
    entries = []
    if "Input" not in names and "InputLayer" not in names:
        entries.append(_input_entry())
    for name in names:
        cls = LAYERS.lookup(name)
        if name == "InputLayer" or (name == "Input" and isinstance(cls, type) and cls.__name__ == "InputLayer"):
            entries.append(_input_entry(name="Input"))
            continue
        if not isinstance(cls, type) or is_model_class(cls):
            continue
        entries.append(_entry(name, cls))
    seen, unique = set(), []
    for e in entries:
        if e["name"] not in seen:
            seen.add(e["name"])
            unique.append(e)
    unique.sort(key=lambda e: GROUPS.index(e["group"]) if e["group"] in GROUPS else len(GROUPS))
    return unique


def _input_entry(name: str = "Input") -> dict:
    group, help_, key, _ = LAYER_INFO["Input"]
    shape = dict(_param_spec("Input", "shape", inspect.Parameter.empty, {}), required=True)
    dtype = {"name": "dtype", "type": "choice", "default": "float32", "required": False, "min": None, "max": None,
             "choices": ["float32", "int32", "int64"], "help": "Type of the data: float32, or int32/int64 for "
                                                             "token ids fed to an Embedding."}
    return {"name": name, "group": group, "help": help_, "inputs": 0, "key_params": key, "params": [shape, dtype]}


def _entry(name: str, cls) -> dict:
    info = LAYER_INFO.get(name)
    if info is None:
        group, help_, key, overrides = layer_group(cls), _doc_line(cls), [], {}
    else:
        group, help_, key, overrides = info
    params = []
    for pname, param in _init_params(cls):
        params.append(_param_spec(name, pname, param.default, overrides.get(pname, {})))
    names = {p["name"] for p in params}
    if not key:
        key = [p["name"] for p in params if p["required"]][:2]
    return {"name": name, "group": group, "help": help_ or f"{name} layer.", "inputs": input_arity(cls),
            "key_params": [k for k in key if k in names], "params": params}


def _doc_line(cls) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
