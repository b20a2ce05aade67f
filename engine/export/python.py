"""``to_python(model) -> str``: a runnable Keras script that rebuilds a model's architecture.

Works from the model's Keras config (``model.get_config()``, the same format as the ``model_config`` of an
.h5 file, Keras 3 or Keras 2 node spelling), so it also accepts such a config dict
(``{"class_name": "Sequential" | "Functional", "config": {...}}``) — or an editor graph, built first.
Sequential models become ``keras.Sequential([...])``; anything else the functional API with ``keras.Input``
and layer calls, where a layer called more than once (weight sharing) is one variable called several times.
Nested models (a model used as a layer) are not written: ``NotImplementedError``.

Arguments equal to the layer's defaults are left out (the defaults are read from a freshly constructed layer
of the same class); initializers/regularizers/constraints are written as Keras names when they carry no
settings, otherwise as the ``{"class_name", "config"}`` dict Keras' constructors accept.
"""

from __future__ import annotations

import keyword
import re

_SKIP_KEYS = {"name", "trainable", "dtype", "batch_input_shape", "input_shape", "batch_shape", "build_config",
              "registered_name", "module"}
_MODEL_CLASSES = ("Sequential", "Functional", "Model")
_NESTED_LAYER_KEYS = ("layer", "backward_layer")  # wrappers (Bidirectional, TimeDistributed) take layer objects


def to_python(model, *, model_var: str = "model") -> str:
    """The Keras-API Python source of ``model``: an engine Model, a Keras model config dict, or an editor graph
    (built with ``engine.graph.build_model``, which raises ``GraphError`` when it is invalid)."""
    config = _model_config(model)
    lines = ["import keras", "from keras import layers", ""]
    if config["class_name"] == "Sequential":
        lines += _sequential(config["config"], model_var)
    else:
        lines += _functional(config["config"], model_var)
    lines += ["", f"{model_var}.summary()", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- models
def _model_config(model) -> dict:
    if isinstance(model, dict) and "nodes" in model:  # an editor graph
        from engine.graph import build_model  # noqa: PLC0415

        model = build_model(model)
    if isinstance(model, dict):
        config = model
    else:
        config = {"class_name": "Sequential" if type(model).__name__ == "Sequential" else "Functional",
                  "config": model.get_config()}
    if not isinstance(config.get("config"), dict) or config.get("class_name") not in _MODEL_CLASSES:
        raise ValueError("to_python expects an engine Model or a {'class_name': 'Sequential'|'Functional', "
                         "'config': {...}} model config.")
    return config


def _sequential(config: dict, var: str) -> list[str]:
    layers = config.get("layers", [])
    has_input = bool(layers) and (layers[0]["class_name"] == "InputLayer"
                                  or bool(layers[0].get("config", {}).get("batch_input_shape")))
    items = []
    if not has_input and config.get("build_input_shape"):
        items.append(_input_expr({"batch_shape": config["build_input_shape"]}, with_name=False))
    for i, entry in enumerate(layers):
        cls, cfg = entry["class_name"], entry.get("config", {})
        if cls == "InputLayer":
            items.append(_input_expr(cfg, with_name=False))
            continue
        if i == 0 and cfg.get("batch_input_shape"):  # Keras 2 files without an InputLayer entry
            items.append(_input_expr(cfg, with_name=False))
        items.append(_layer_expr(cls, cfg))
    items = [item.replace("\n", "\n        ") for item in items]
    return [f"{var} = keras.Sequential(", "    [", *[f"        {item}," for item in items], "    ],",
            f"    name={config.get('name') or 'sequential'!r},", ")"]


def _functional(config: dict, var: str) -> list[str]:
    entries = config.get("layers", [])
    taken = {var, "keras", "layers"}
    layer_var = {}
    for entry in entries:
        layer_var[entry["name"]] = _identifier(entry["name"], taken)
    calls = {entry["name"]: _nodes(entry.get("inbound_nodes") or []) for entry in entries}
    tensor_var: dict[tuple[str, int], str] = {}
    lines = []
    # Inputs first, then calls in dependency order (configs need not be topologically sorted).
    for entry in entries:
        if entry["class_name"] == "InputLayer":
            name = entry["name"]
            tensor_var[(name, 0)] = layer_var[name]
            lines.append(f"{layer_var[name]} = {_input_expr(entry.get('config', {}), with_name=True, name=name)}")
    pending = [(entry, k) for entry in entries if entry["class_name"] != "InputLayer"
               for k in range(len(calls[entry["name"]]))]
    declared = set()
    while pending:
        progressed = False
        for item in list(pending):
            entry, k = item
            args, kwargs = calls[entry["name"]][k]
            refs = _refs(args)
            if not all((n, i) in tensor_var for n, i, _ in refs):
                continue
            name = entry["name"]
            shared = len(calls[name]) > 1
            out = layer_var[name] if k == 0 else _identifier(f"{name}_{k}", taken)
            call_args = _render_args(args, tensor_var)
            extra = "".join(f", {key}={_literal(v)}" for key, v in kwargs.items() if _is_simple(v))
            if _is_nested_model(entry):
                raise NotImplementedError(f"Layer {name!r} is a nested model; to_python writes flat models only.")
            expr = _layer_expr(entry["class_name"], entry.get("config", {}))
            if shared:
                holder = f"{layer_var[name]}_layer"
                if name not in declared:
                    holder = _identifier(holder, taken)
                    layer_var[name + "\0layer"] = holder
                    lines.append(f"{holder} = {expr}")
                    declared.add(name)
                holder = layer_var[name + "\0layer"]
                lines.append(f"{out} = {holder}({call_args}{extra})")
            else:
                lines.append(f"{out} = {expr}({call_args}{extra})")
            tensor_var[(name, k)] = out
            pending.remove(item)
            progressed = True
        if not progressed:
            missing = sorted({entry["name"] for entry, _ in pending})
            raise ValueError(f"The model config's nodes of {missing} refer to tensors that are never produced.")
    inputs = _io(config.get("input_layers"), tensor_var)
    outputs = _io(config.get("output_layers"), tensor_var)
    lines.append(f"{var} = keras.Model(inputs={inputs}, outputs={outputs}, name={config.get('name', 'model')!r})")
    return lines


def _nodes(inbound) -> list[tuple[object, dict]]:
    """Each call of a layer as (args, kwargs); args hold ("ref", layer, node, tensor) tuples."""
    out = []
    for node in inbound:
        if isinstance(node, dict):  # Keras 3
            args = node.get("args", [])
            converted = [_convert(a) for a in args]
            out.append((converted[0] if len(converted) == 1 else converted, dict(node.get("kwargs") or {})))
        else:  # Keras 2: [[layer, node, tensor, kwargs], ...]
            refs = [("ref", item[0], item[1], item[2]) for item in node]
            kwargs = dict(node[0][3]) if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
            out.append((refs[0] if len(refs) == 1 else refs, kwargs))
    return out


def _convert(value):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        hist = value["config"]["keras_history"]
        return ("ref", hist[0], hist[1], hist[2])
    if isinstance(value, list):
        return [_convert(v) for v in value]
    return value


def _refs(args) -> list[tuple[str, int, int]]:
    if isinstance(args, tuple) and args and args[0] == "ref":
        return [(args[1], args[2], args[3])]
    if isinstance(args, list):
        return [r for a in args for r in _refs(a)]
    return []


def _render_args(args, tensor_var) -> str:
    def one(a):
        if isinstance(a, tuple) and a and a[0] == "ref":
            return tensor_var[(a[1], a[2])] + (f"[{a[3]}]" if a[3] else "")
        if isinstance(a, list):
            return "[" + ", ".join(one(x) for x in a) + "]"
        return _literal(a)

    return one(args)


def _io(value, tensor_var) -> str:
    if value is None:
        return "[]"
    if len(value) == 3 and isinstance(value[0], str):  # a single triple (Keras 3)
        return tensor_var[(value[0], value[1])]
    items = [tensor_var[(v[0], v[1])] for v in value]
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


def _is_nested_model(entry) -> bool:
    return entry.get("class_name") in _MODEL_CLASSES


# ---------------------------------------------------------------------------------------------- layers
def _input_expr(cfg: dict, *, with_name: bool, name: str | None = None) -> str:
    batch = cfg.get("batch_shape") or cfg.get("batch_input_shape")
    shape = tuple(batch[1:]) if batch else tuple(cfg.get("shape") or ())
    parts = [f"shape={_literal(shape)}"]
    dtype = cfg.get("dtype")
    if isinstance(dtype, str) and dtype != "float32":
        parts.append(f"dtype={dtype!r}")
    if with_name and name:
        parts.append(f"name={name!r}")
    return f"keras.Input({', '.join(parts)})"


def _layer_expr(class_name: str, cfg: dict) -> str:
    defaults, required = _defaults(class_name, cfg)
    parts = []
    for key, value in cfg.items():
        if key in _SKIP_KEYS:
            continue
        if key not in required and key in defaults and _same(defaults[key], value):
            continue
        if key in _NESTED_LAYER_KEYS and isinstance(value, dict) and "class_name" in value:
            parts.append(f"{key}={_layer_expr(value['class_name'], value.get('config') or {})}")
            continue
        parts.append(f"{key}={_value(value)}")
    if cfg.get("trainable") is False:
        parts.append("trainable=False")
    if cfg.get("name"):
        parts.append(f"name={cfg['name']!r}")
    return _call(f"layers.{class_name}", parts)


def _call(func: str, parts: list[str], indent: str = "") -> str:
    """``func(a, b)`` on one line when short, else one argument per line (black-like)."""
    one_line = f"{func}({', '.join(parts)})"
    if len(one_line) <= 88 or not parts:
        return one_line
    inner = "".join(f"{indent}    {p},\n" for p in parts)
    return f"{func}(\n{inner}{indent})"


def _defaults(class_name: str, cfg: dict) -> tuple[dict, set]:
    """Config of a fresh layer of this class built from the config's required arguments (no weights), and the
    names of those required arguments."""
    import inspect  # noqa: PLC0415

    from engine.catalog import load_layers  # noqa: PLC0415
    from engine.layers.base import LAYERS  # noqa: PLC0415

    try:
        load_layers()
        cls = LAYERS.lookup(class_name)
        required = {}
        for pname, param in inspect.signature(cls.__init__).parameters.items():
            if pname != "self" and param.default is param.empty and param.kind not in (param.VAR_KEYWORD,
                                                                                        param.VAR_POSITIONAL):
                required[pname] = cfg[pname]
        return _plain(cls(**required, name="__defaults__").get_config()), set(required)
    except Exception:  # noqa: BLE001 - unknown class: write every argument
        return {}, set()


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "get_config"):
        return {"class_name": type(value).__name__, "config": _plain(value.get_config())}
    return value


def _same(a, b, nested: bool = False) -> bool:
    """Equal configs, ignoring serialization details and the generated names of nested layers."""
    a, b = _plain(a), _plain(b)
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - {"module", "registered_name"} - ({"name"} if nested else set())
        return all(_same(a.get(k), b.get(k), True) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, True) for x, y in zip(a, b))
    return a == b


def _value(value) -> str:
    """Initializer/regularizer/constraint dicts without settings → their Keras name; the rest literally."""
    if isinstance(value, dict) and "class_name" in value:
        inner = value.get("config") or {}
        if all(v is None for v in inner.values()):
            return repr(_snake(value["class_name"]))
        return _literal({"class_name": value["class_name"], "config": inner})
    return _literal(value)


def _literal(value) -> str:
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value != value:
        return "float('nan')"
    return repr(value)


def _is_simple(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _snake(name: str) -> str:
    from engine.registry import snake_case  # noqa: PLC0415

    return snake_case(name)


def _identifier(name: str, taken: set) -> str:
    base = re.sub(r"\W", "_", str(name)).strip("_") or "x"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"x_{base}"
    out, k = base, 1
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out
