"""Keras ``model_config`` (Sequential / Functional / Model, Keras 3 or 2) ⇄ engine models.

Reading rebuilds the model through the public API (``Input``, calling layers, ``Model(inputs, outputs)``,
``Sequential``), so it needs nothing from the models' internals. Nodes may be Keras 3 dicts
(``{"args": [...], "kwargs": {...}}`` with ``__keras_tensor__`` entries) or Keras 2 lists
(``[[layer, node_index, tensor_index, kwargs], ...]``).
"""

from __future__ import annotations

from engine.saving.errors import ModelFileError
from engine.saving.layer_config import (
    MODEL_CLASSES,
    check_layer_entry,
    layer_from_entry,
    normalize_dtype,
)

MAX_LAYERS = 100_000


def _models():
    import engine.models as models  # noqa: PLC0415 - models import layers, saving is imported by models

    return models


def model_from_config(config: dict):
    """``{"class_name": ..., "config": ...}`` → an engine model (built when the config gives input shapes)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelFileError("model_config must be a JSON object with 'class_name' and 'config'.")
    class_name = config["class_name"]
    body = config.get("config")
    if class_name == "Sequential":
        return sequential_from_config(body)
    if class_name in ("Functional", "Model"):
        return functional_from_config(body)
    if isinstance(class_name, str) and class_name not in MODEL_CLASSES:
        raise ModelFileError(f"The top-level model class {class_name!r} is not Sequential or Functional "
                             f"(subclassed models are saved weights-only; rebuild them in code and use "
                             f"load_weights).")
    raise ModelFileError(f"Unreadable model class {class_name!r}.")


def _check_layers_list(layers, where: str) -> list:
    if not isinstance(layers, list):
        raise ModelFileError(f"{where}: 'layers' must be a list.")
    if len(layers) > MAX_LAYERS:
        raise ModelFileError(f"{where}: {len(layers)} layers is more than the limit {MAX_LAYERS}.")
    return layers


def _input_tensor(batch_shape, dtype, name):
    if not isinstance(batch_shape, list | tuple) or not all(d is None or (isinstance(d, int) and d >= 0)
                                                             for d in batch_shape):
        raise ModelFileError(f"Input {name!r}: unreadable batch shape {batch_shape!r}.")
    kwargs = {"batch_shape": tuple(batch_shape), "name": name}
    if dtype:
        kwargs["dtype"] = dtype
    from engine.layers import Input  # noqa: PLC0415

    try:
        return Input(**kwargs)
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"Input {name!r}: cannot create it from batch shape {batch_shape!r}: {e}") from e


def _layer_or_model(entry):
    class_name, _ = check_layer_entry(entry)
    if class_name in MODEL_CLASSES:
        return model_from_config({"class_name": class_name, "config": entry.get("config")}), None
    return layer_from_entry(entry)


def sequential_from_config(config):
    if isinstance(config, list):  # Keras 1 / early Keras 2: the config is the list of layers
        config = {"layers": config}
    if not isinstance(config, dict):
        raise ModelFileError("Sequential config must be an object with 'layers'.")
    entries = _check_layers_list(config.get("layers"), "Sequential config")
    models = _models()
    batch_shape, input_dtype, input_name = None, None, None
    layers = []
    for i, entry in enumerate(entries):
        class_name, layer_config = check_layer_entry(entry)
        if class_name == "InputLayer":
            if i != 0:
                raise ModelFileError("Sequential config: an InputLayer must come first.")
            batch_shape = layer_config.get("batch_shape") or layer_config.get("batch_input_shape")
            input_dtype = normalize_dtype(layer_config.get("dtype"))
            input_name = layer_config.get("name")
            continue
        layer, declared = _layer_or_model(entry)
        if not layers and batch_shape is None and declared is not None:
            batch_shape = declared  # first layer with batch_input_shape (Keras 2 without InputLayer)
        layers.append(layer)
    if batch_shape is None and config.get("build_input_shape") is not None:
        batch_shape = config["build_input_shape"]
    name = config.get("name")
    try:
        model = models.Sequential(name=name) if name else models.Sequential()
        if batch_shape is not None:
            model.add(_input_tensor(batch_shape, input_dtype, input_name))
        for layer in layers:
            model.add(layer)
    except ModelFileError:
        raise
    except (TypeError, ValueError, IndexError, KeyError) as e:
        raise ModelFileError(f"Cannot rebuild the Sequential model {name!r}: {e}") from e
    return model


# ---- functional -------------------------------------------------------------------------------------
class _NotReady(Exception):
    pass


def _history_of(item):
    """A Keras 3 ``__keras_tensor__`` dict or a Keras 2 ``[name, node, tensor(, kwargs)]`` list → triple."""
    if isinstance(item, dict) and item.get("class_name") == "__keras_tensor__":
        hist = (item.get("config") or {}).get("keras_history")
    else:
        hist = item
    if (isinstance(hist, list | tuple) and len(hist) >= 3 and isinstance(hist[0], str)
            and isinstance(hist[1], int) and isinstance(hist[2], int)):
        return hist[0], hist[1], hist[2]
    return None


class _Graph:
    def __init__(self):
        self.layers: dict[str, object] = {}
        self.is_nested_functional: dict[str, bool] = {}
        self.outputs: dict[tuple[str, int], list] = {}  # (layer, node index) → output tensors

    def tensor(self, name, node_index, tensor_index):
        if name not in self.layers:
            raise ModelFileError(f"A node refers to layer {name!r}, which the config does not define.")
        key = (name, node_index)
        if key not in self.outputs and self.is_nested_functional.get(name) and (name, node_index - 1) in self.outputs:
            key = (name, node_index - 1)  # Keras 3 counts a nested functional model's own first node
        if key not in self.outputs:
            raise _NotReady
        outs = self.outputs[key]
        if not 0 <= tensor_index < len(outs):
            raise ModelFileError(f"A node refers to output {tensor_index} of layer {name!r}, which has "
                                 f"{len(outs)} output(s).")
        return outs[tensor_index]

    def resolve(self, value):
        """Replace serialized tensors inside args/kwargs by the rebuilt symbolic tensors."""
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return self.tensor(*_history_of(value) or self._bad(value))
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    @staticmethod
    def _bad(value):
        raise ModelFileError(f"Unreadable tensor reference in a node: {str(value)[:200]}")


def _node_call(graph: _Graph, node):
    """A node → (args, kwargs) with symbolic tensors; raises _NotReady if an input is not built yet."""
    if isinstance(node, dict):  # Keras 3
        args = graph.resolve(node.get("args") or [])
        kwargs = graph.resolve(node.get("kwargs") or {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise ModelFileError("A Keras 3 node must have a list 'args' and an object 'kwargs'.")
    elif isinstance(node, list):  # Keras 2: one entry per input tensor
        tensors, kwargs = [], {}
        for item in node:
            hist = _history_of(item)
            if hist is None:
                raise ModelFileError(f"Unreadable inbound node entry: {str(item)[:200]}")
            tensors.append(graph.tensor(*hist))
            if len(item) > 3 and isinstance(item[3], dict):
                kwargs = graph.resolve(item[3])
        args = [tensors[0] if len(tensors) == 1 else tensors]
    else:
        raise ModelFileError(f"Unreadable inbound node: {str(node)[:200]}")
    kwargs = {k: v for k, v in kwargs.items() if v is not None and k not in ("training", "mask")}
    return args, kwargs


def _flatten(x) -> list:
    if isinstance(x, list | tuple):
        return [t for item in x for t in _flatten(item)]
    return [x]


def _io_triples(value, what: str) -> tuple[list, bool]:
    """input_layers/output_layers: one triple (Keras 3, single) or a list of triples; (triples, single)."""
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
        return [tuple(value[:3])], True
    if isinstance(value, list) and value and all(_history_of(v) for v in value):
        return [_history_of(v) for v in value], False
    if isinstance(value, dict):
        return [_history_of(v) for v in value.values()], False
    raise ModelFileError(f"Functional config: unreadable {what} {str(value)[:200]}")


def functional_from_config(config):
    if not isinstance(config, dict):
        raise ModelFileError("Functional config must be an object with 'layers', 'input_layers', 'output_layers'.")
    entries = _check_layers_list(config.get("layers"), "Functional config")
    graph = _Graph()
    queues: dict[str, list] = {}
    order: list[str] = []
    for entry in entries:
        class_name, layer_config = check_layer_entry(entry)
        name = entry.get("name") or layer_config.get("name")
        if not isinstance(name, str) or name in graph.layers:
            raise ModelFileError(f"Functional config: missing or duplicate layer name {name!r}.")
        if class_name == "InputLayer":
            shape = layer_config.get("batch_shape") or layer_config.get("batch_input_shape")
            tensor = _input_tensor(shape, normalize_dtype(layer_config.get("dtype")), name)
            graph.layers[name] = tensor
            graph.outputs[(name, 0)] = [tensor]
            continue
        layer, _ = _layer_or_model(entry)
        graph.layers[name] = layer
        graph.is_nested_functional[name] = class_name in ("Functional", "Model")
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise ModelFileError(f"Layer {name!r}: 'inbound_nodes' must be a list.")
        queues[name] = list(nodes)
        order.append(name)
    done = {name: 0 for name in order}
    progress = True
    while progress and any(queues[n] for n in order):
        progress = False
        for name in order:
            while queues[name]:
                try:
                    args, kwargs = _node_call(graph, queues[name][0])
                except _NotReady:
                    break
                layer = graph.layers[name]
                try:
                    out = layer(*args, **kwargs)
                except ModelFileError:
                    raise
                except (TypeError, ValueError, IndexError, KeyError) as e:
                    raise ModelFileError(f"Cannot connect layer {name!r} (node {done[name]}): {e}") from e
                graph.outputs[(name, done[name])] = _flatten(out)
                done[name] += 1
                queues[name].pop(0)
                progress = True
    stuck = [n for n in order if queues[n]]
    if stuck:
        raise ModelFileError(f"Functional config: the nodes of layers {stuck} refer to tensors that are never "
                             f"created (a cycle or a missing layer).")
    ins, _ = _io_triples(config.get("input_layers"), "input_layers")
    outs, single_out = _io_triples(config.get("output_layers"), "output_layers")
    try:
        inputs = [graph.tensor(*t) for t in ins]
        outputs = [graph.tensor(*t) for t in outs]
    except _NotReady:
        raise ModelFileError("Functional config: input_layers/output_layers refer to tensors never created.") from None
    name = config.get("name")
    kwargs = {"name": name} if name else {}
    try:
        return _models().Model(inputs=inputs[0] if len(inputs) == 1 else inputs,
                               outputs=outputs[0] if single_out or len(outputs) == 1 else outputs, **kwargs)
    except (TypeError, ValueError, KeyError) as e:
        raise ModelFileError(f"Cannot rebuild the functional model {name!r}: {e}") from e


# ---- writing ----------------------------------------------------------------------------------------
def _is_model(obj) -> bool:
    return hasattr(obj, "layers") and hasattr(obj, "fit")


def model_kind(model) -> str:
    """"Sequential", "Functional", or "Subclassed" (a Model subclass with its own ``call``)."""
    name = type(model).__name__
    if name == "Sequential":
        return "Sequential"
    if hasattr(model, "_nodes") and hasattr(model, "_inputs"):
        return "Functional"
    return "Subclassed"


def sequential_input(model):
    """(batch_shape, dtype, name) of a Sequential model's input, or (None, None, None) when unknown."""
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None:
        return tuple(input_layer.batch_shape), input_layer.dtype, input_layer.name
    for layer in getattr(model, "_layers", []):
        if type(layer).__name__ == "InputLayer":
            return tuple(layer.batch_shape), layer.dtype, layer.name
    inputs = getattr(model, "inputs", None)
    try:
        if inputs:
            t = inputs[0]
            return tuple(t.shape), str(getattr(t, "dtype", None) or "float32"), None
    except (AttributeError, ValueError, TypeError, IndexError):
        pass
    for source in (model, *(model.layers[:1] if model.layers else [])):
        shape = getattr(source, "_batch_input_shape", None)
        if shape is not None:
            return tuple(shape), None, None
    shape = getattr(model, "_build_input_shape", None)
    if shape is not None:
        return tuple(shape), None, None
    return None, None, None


def _entry(layer) -> dict:
    from engine.saving.layer_config import keras_layer_config  # noqa: PLC0415

    if _is_model(layer):
        return model_to_config(layer)
    return {"class_name": type(layer).__name__, "config": keras_layer_config(layer)}


def _sequential_config(model) -> dict:
    from engine.saving.layer_config import to_jsonable  # noqa: PLC0415

    batch_shape, dtype, input_name = sequential_input(model)
    layers = []
    if batch_shape is not None:
        layers.append({"class_name": "InputLayer",
                       "config": {"batch_shape": list(batch_shape), "dtype": dtype or "float32", "sparse": False,
                                  "ragged": False, "name": input_name or f"{model.name}_input", "optional": False}})
    layers += [_entry(layer) for layer in model.layers if type(layer).__name__ != "InputLayer"]
    config = {"name": model.name, "trainable": bool(model.trainable), "dtype": "float32", "layers": layers}
    if batch_shape is not None:
        config["build_input_shape"] = list(batch_shape)
    return to_jsonable(config)


def _functional_config(model) -> dict:
    from engine.saving.layer_config import to_jsonable  # noqa: PLC0415

    node_set = {id(n) for n in model._nodes}
    input_ids = {id(t) for t in model._inputs}
    kept: dict[tuple[int, int], int] = {}
    for layer in model.layers:
        k = 0
        for i, node in enumerate(layer._inbound_nodes):
            if id(node) in node_set or (type(layer).__name__ == "InputLayer"
                                        and any(id(t) in input_ids for t in node.output_tensors)):
                kept[(id(layer), i)] = k
                k += 1

    def history(t, for_io=False):
        layer, node_index, tensor_index = t._keras_history
        index = kept.get((id(layer), node_index), node_index)
        if for_io and model_kind(layer) == "Functional":
            index += 1  # Keras 3's get_config counts a nested functional model's built-in node here
        return [layer.name, index, tensor_index]

    def encode(value):
        if getattr(value, "_is_symbolic", False) and getattr(value, "_keras_history", None) is not None:
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": str(value.dtype), "keras_history": history(value)}}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    layers = []
    for layer in model.layers:
        entry = _entry(layer)
        nodes = []
        if type(layer).__name__ != "InputLayer":
            for node in layer._inbound_nodes:
                if id(node) in node_set:
                    nodes.append({"args": encode(list(node.call_args)), "kwargs": encode(dict(node.call_kwargs))})
        layers.append({"class_name": entry["class_name"], "name": layer.name, "config": entry["config"],
                       "inbound_nodes": nodes})

    def io(struct):
        if isinstance(struct, dict):
            return {k: history(v, True) for k, v in struct.items()}
        if isinstance(struct, list | tuple):
            return [history(t, True) for t in struct]
        return history(struct, True)

    return to_jsonable({"name": model.name, "trainable": bool(model.trainable), "layers": layers,
                        "input_layers": io(model._input_struct), "output_layers": io(model._output_struct)})


def model_to_config(model) -> dict:
    """The Keras 3 ``model_config`` of a Sequential or functional engine model."""
    kind = model_kind(model)
    if kind == "Sequential":
        return {"class_name": "Sequential", "config": _sequential_config(model)}
    if kind == "Functional":
        return {"class_name": "Functional", "config": _functional_config(model)}
    raise ValueError(f"Model {model.name!r} is a subclassed model ({type(model).__name__}): its architecture is "
                     f"Python code, which a file cannot hold. Save its weights with model.save_weights(...) and "
                     f"rebuild it in code (as in Keras).")
