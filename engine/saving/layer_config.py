"""Layer entries of a Keras ``model_config`` → engine layers, and engine layer configs → Keras 3 entries.

Reading accepts Keras 3 and Keras 2 configs: DTypePolicy dicts, ``batch_input_shape``, ``axis: [k]``,
``alpha`` for ``negative_slope``, keys only old versions wrote (``time_major``, ``input_length``, ...).
Nothing from a file is ever executed: classes are looked up by name in the engine's own registry, a
``Lambda`` (Python code) or unknown class is refused with an error naming the layer.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np

from engine.saving.errors import ModelFileError, UnknownLayerError, UnsafeModelError
from engine.saving.size_guard import current_limit, guard_layer

# Layers whose payload is Python code: never deserialized.
CODE_LAYERS = {"Lambda", "TFOpLambda", "SlicingOpLambda"}
MODEL_CLASSES = {"Sequential", "Functional", "Model"}
INPUT_SHAPE_KEYS = ("batch_input_shape", "input_shape", "batch_size")
# Keys some Keras versions write that change nothing in the engine: dropped silently.
IGNORABLE_KEYS = {"time_major", "implementation", "input_length", "quantization_config", "optional", "sparse",
                  "ragged", "lora_rank", "lora_alpha", "unroll", "zero_output_for_mask", "autocast",
                  "synchronized", "renorm", "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size",
                  "adjustment", "build_config", "compile_config", "module", "registered_name", "seed"}
WRAPPED_LAYER_KEYS = ("layer", "backward_layer", "cell")
_DTYPE_POLICY_CLASSES = {"DTypePolicy", "Policy", "FloatDTypePolicy", "QuantizedDTypePolicy"}


def _layer_label(entry: dict) -> str:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    name = entry.get("name") or config.get("name")
    return f"{entry.get('class_name')!r}" + (f" (layer {name!r})" if name else "")


def normalize_dtype(dtype):
    """``"float32"``, a DTypePolicy dict or a mixed policy name → a dtype name the engine understands."""
    if isinstance(dtype, dict):
        if dtype.get("class_name") in _DTYPE_POLICY_CLASSES:
            inner = dtype.get("config") or {}
            dtype = inner.get("name") if isinstance(inner, dict) else None
        else:
            dtype = dtype.get("name") or (dtype.get("config") or {}).get("name")
    if dtype is None:
        return None
    if not isinstance(dtype, str):
        raise ModelFileError(f"Unreadable dtype in the config: {dtype!r}")
    if dtype.startswith("mixed_"):
        return "float32"  # mixed_float16 / mixed_bfloat16: variables are float32
    return dtype


def _clean_nested(value):
    """Nested serialized objects (initializers, regularizers, activations): strip module/registered_name."""
    if isinstance(value, dict):
        if value.get("class_name") == "__lambda__":
            raise UnsafeModelError("The config holds a Python function (`__lambda__`): the engine never runs "
                                   "code from a file.")
        if "class_name" in value and value.get("module") and value["class_name"] == "function":
            return value.get("config")  # {"module": "keras.activations", "class_name": "function", "config": "relu"}
        if "class_name" in value:
            out = {"class_name": value["class_name"], "config": _clean_nested(value.get("config") or {})}
            if isinstance(out["config"], dict):
                out["config"] = {k: v for k, v in out["config"].items() if k not in ("module", "registered_name")}
            return out
        return {k: _clean_nested(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_nested(v) for v in value]
    return value


def accepted_kwargs(cls) -> set[str] | None:
    """Names ``cls(**kw)`` accepts, following ``**kwargs`` up the MRO; None if anything goes."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            return None
        names |= {n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return names - {"self"}
        allowed = klass.__dict__.get("_ALLOWED_KWARGS")
        if allowed is not None:
            names |= set(allowed)
    return names - {"self"}


def _is_default_like(value) -> bool:
    return value is None or value is False or value == 0 or value in ("", [], {})


def normalize_layer_config(class_name: str, config: dict, cls) -> tuple[dict, tuple | None]:
    """A file's layer config → kwargs for ``cls``; also returns the batch input shape it declared."""
    config = dict(config)
    batch_shape = None
    if class_name == "InputLayer":
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
    else:
        if config.get("batch_input_shape") is not None:
            batch_shape = tuple(config["batch_input_shape"])
        elif config.get("input_shape") is not None:
            batch_shape = (config.get("batch_size"), *config["input_shape"])
        for key in INPUT_SHAPE_KEYS:
            config.pop(key, None)
    if "dtype" in config:
        config["dtype"] = normalize_dtype(config["dtype"])
        if config["dtype"] is None:
            del config["dtype"]
    if isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    config = {k: _clean_nested(v) for k, v in config.items()}
    for key in WRAPPED_LAYER_KEYS:  # Bidirectional/TimeDistributed/RNN: the wrapped layer's config too
        inner = config.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("class_name"), str):
            inner_name, inner_config = check_layer_entry(inner)
            inner_cls = layer_class(inner_name, inner)
            inner_kwargs, _ = normalize_layer_config(inner_name, inner_config, inner_cls)
            config[key] = {"class_name": inner_name, "config": inner_kwargs}
    accepted = accepted_kwargs(cls)
    if accepted is not None:
        if "alpha" in config and "alpha" not in accepted and "negative_slope" in accepted:
            config["negative_slope"] = config.pop("alpha")  # Keras 2 LeakyReLU
        dropped = {k: v for k, v in config.items() if k not in accepted}
        meaningful = {k: v for k, v in dropped.items() if k not in IGNORABLE_KEYS and not _is_default_like(v)}
        if meaningful:
            warnings.warn(f"{class_name} {config.get('name')!r}: the engine ignores the config keys "
                          f"{sorted(meaningful)} (values {meaningful}); predictions may differ from Keras.",
                          stacklevel=3)
        config = {k: v for k, v in config.items() if k in accepted}
    return config, batch_shape


def check_layer_entry(entry) -> tuple[str, dict]:
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise ModelFileError(f"A layer entry of model_config has no 'class_name': {str(entry)[:200]}")
    class_name = entry["class_name"]
    config = entry.get("config")
    if config is None:
        config = {}
    if class_name in CODE_LAYERS:
        raise UnsafeModelError(f"Layer {_layer_label(entry)} is a {class_name} layer: its function is Python "
                               f"code stored in the file, and the engine never runs code from a file. "
                               f"Replace it with built-in layers before exporting the model.")
    if not isinstance(config, dict | list):
        raise ModelFileError(f"Layer {_layer_label(entry)}: 'config' must be an object.")
    return class_name, config


@functools.cache
def _register_all_layers() -> None:
    """Import every module of engine.layers so that each built-in layer is in the registry."""
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415

    import engine.layers  # noqa: PLC0415

    for info in pkgutil.iter_modules(engine.layers.__path__):
        if not info.name.startswith("_"):
            try:
                importlib.import_module(f"engine.layers.{info.name}")
            except ImportError:  # pragma: no cover - a broken optional module must not block loading
                continue


def layer_class(class_name: str, entry: dict):
    from engine.layers.base import LAYERS  # noqa: PLC0415

    _register_all_layers()

    if ">" in class_name:
        raise UnknownLayerError(f"Unknown layer class {_layer_label(entry)}: a custom (registered) layer from "
                                f"another program. The engine only loads built-in Keras layers.")
    try:
        return LAYERS.lookup(class_name)
    except ValueError:
        raise UnknownLayerError(f"Unknown layer class {_layer_label(entry)}: the engine has no such layer "
                                f"(custom layers cannot be loaded from a file).") from None


def layer_from_entry(entry: dict):
    """A Keras layer entry (no nested models; see model_config) → an unbuilt engine layer, plus batch shape."""
    class_name, config = check_layer_entry(entry)
    cls = layer_class(class_name, entry)
    kwargs, batch_shape = normalize_layer_config(class_name, config, cls)
    _check_sizes(entry, kwargs)
    try:
        layer = cls.from_config(kwargs) if "from_config" in cls.__dict__ else cls(**kwargs)
    except (TypeError, ValueError, KeyError) as e:
        raise ModelFileError(f"Cannot create layer {_layer_label(entry)} from its config: {e}") from e
    guard_layer(layer)
    return layer, batch_shape


def _ints(value):
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _ints(v)


def _check_sizes(entry: dict, kwargs: dict) -> None:
    """Cheap check before construction: no integer argument (units, filters, kernel_size, ...) may exceed the
    weight budget, and Embedding's table is input_dim * output_dim. The build-time guard does the rest."""
    limit = current_limit()
    if limit is None:
        return
    for key, value in kwargs.items():
        for n in _ints(value):
            if abs(n) > limit:
                raise ModelFileError(f"Layer {_layer_label(entry)}: {key}={value!r} is absurdly large "
                                     f"(limit {limit}); refusing to build it.")
    dims = [kwargs.get("input_dim"), kwargs.get("output_dim")]
    if all(isinstance(d, int) for d in dims) and dims[0] * dims[1] > limit:
        raise ModelFileError(f"Layer {_layer_label(entry)}: an embedding table of {dims[0]} x {dims[1]} "
                             f"exceeds the size limit of {limit} elements.")


# ---- writing ---------------------------------------------------------------------------------------
def to_jsonable(value):
    """Tuples → lists, numpy scalars/arrays → Python; anything else non-JSON is an error (custom objects)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "get_config"):
        return {"class_name": type(value).__name__, "config": to_jsonable(value.get_config())}
    raise ValueError(f"Cannot serialize {value!r} ({type(value).__name__}) into a Keras config: only "
                     f"built-in objects can be saved.")


def keras_layer_config(layer) -> dict:
    """The engine layer's config as Keras 3 writes it in an .h5 (input-shape keys dropped: see InputLayer)."""
    config = dict(layer.get_config())
    drop = INPUT_SHAPE_KEYS if type(layer).__name__ == "Embedding" else INPUT_SHAPE_KEYS + ("input_dim",)
    for key in drop:
        config.pop(key, None)
    config["name"] = layer.name
    return to_jsonable(config)

