"""Questions about registered layer classes that ``engine.graph`` asks too: every layer module imported
(``load_layers``), a class's registered name, palette group and input arity, and whether it is a model."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from engine.catalog.layer_info import _MODULE_GROUPS, LAYER_INFO
from engine.layers.base import LAYERS


def load_layers(*, strict: bool = True) -> None:
    """Import every module of ``engine.layers`` so the registry is complete (tried once per process).

    A module that fails to import is skipped with ``strict=False`` (``validate`` must answer even then) and
    re-raised with ``strict=True`` (the catalog should not hide a broken layer family).
    """
    if not _load_state["done"]:
        import engine.layers as package  # noqa: PLC0415

        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                try:
                    importlib.import_module(f"engine.layers.{info.name}")
                except Exception:  # noqa: BLE001
                    _load_state["failed"].append(info.name)
        _load_state["done"] = True
    if strict:
        for name in _load_state["failed"]:
            importlib.import_module(f"engine.layers.{name}")


_load_state: dict = {"done": False, "failed": []}


@functools.lru_cache(maxsize=1024)
def layer_name(cls) -> str:
    """The registered (Keras) name of a layer class."""
    return LAYERS.canonical_name(cls) or cls.__name__


@functools.lru_cache(maxsize=1024)
def layer_group(cls) -> str:
    """Palette group of a layer class: from ``LAYER_INFO``, else from its module's name."""
    if cls is None:
        return "advanced"
    name = layer_name(cls)
    if name in LAYER_INFO:
        return LAYER_INFO[name][0]
    for klass in cls.__mro__:
        if klass.__name__ in LAYER_INFO:
            return LAYER_INFO[klass.__name__][0]
    return _MODULE_GROUPS.get(cls.__module__.rsplit(".", 1)[-1], "advanced")


def is_model_class(cls) -> bool:
    """Models are registered too (for deserializing nested models) but are not palette layers."""
    return any(k.__name__ == "Model" and k.__module__.startswith("engine.models") for k in cls.__mro__)


@functools.lru_cache(maxsize=1024)
def input_arity(cls) -> int | str:
    """0 for Input, "many" for merge layers (they take a list of tensors), 1 otherwise."""
    name = layer_name(cls)
    if name in ("Input", "InputLayer"):
        return 0
    return "many" if layer_group(cls) == "merge" else 1
