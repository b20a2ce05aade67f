"""A Functional model's config in the Keras 3 layout (FORMAT.md 3.2) both ways: ``functional_get_config`` writes
each layer with the calls it received (``inbound_nodes``); ``functional_from_config`` creates the layers and
replays those calls (Keras 3 ``{"args", "kwargs"}`` nodes or Keras 2 ``[[layer, node, tensor, kwargs]]`` lists)."""

from __future__ import annotations

from collections import defaultdict

from engine.models.keras_tensor import KerasTensor
from engine.models.structure import _plain, flatten, map_structure


def functional_get_config(model) -> dict:
    from engine.layers import serialize  # noqa: PLC0415

    mapping = model._node_index_map()

    def history(t):
        layer, node_index, tensor_index = t._keras_history
        return [layer.name, mapping.get((id(layer), node_index), node_index), tensor_index]

    def tensor_config(t):
        if not isinstance(t, KerasTensor):
            return t
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(t.shape), "dtype": t.dtype, "keras_history": history(t)}}

    layers = []
    for layer in model.layers:
        entry = serialize(layer)
        nodes = []
        if not type(layer).__name__ == "InputLayer":
            for node in layer._inbound_nodes:
                if id(node) in model._node_set:
                    nodes.append({"args": _plain(map_structure(tensor_config, list(node.call_args))),
                                  "kwargs": _plain(map_structure(tensor_config, node.call_kwargs))})
        layers.append({"class_name": entry["class_name"], "name": layer.name, "config": entry["config"],
                       "inbound_nodes": nodes})

    def io(struct):
        if isinstance(struct, dict):
            return {k: history(v) for k, v in struct.items()}
        if isinstance(struct, (list, tuple)):
            return [history(t) for t in struct]
        return history(struct)

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": io(model._input_struct), "output_layers": io(model._output_struct)}


def _is_history(x) -> bool:
    return isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str) and isinstance(x[1], int)


def functional_from_config(cls, config: dict, custom_objects=None):
    """Create every layer, then replay the recorded calls (retrying those whose inputs don't exist yet)."""
    from engine.layers import deserialize  # noqa: PLC0415

    created, pending = {}, []
    for entry in config["layers"]:
        layer = deserialize({"class_name": entry["class_name"], "config": entry["config"]}, custom_objects)
        name = entry.get("name") or layer.name
        created[name] = layer
        for node_data in entry.get("inbound_nodes") or []:
            pending.append((layer, _node_args(node_data)))
    tensors = {}  # (layer name, node index, tensor index) → KerasTensor
    for name, layer in created.items():
        if type(layer).__name__ == "InputLayer":
            tensors[(name, 0, 0)] = layer.output
    per_layer_calls = defaultdict(int)
    progress = True
    while pending and progress:
        progress, remaining = False, []
        for item in pending:
            layer, (args, kwargs) = item
            refs = [r for r in flatten([args, kwargs]) if isinstance(r, _Ref)]
            earlier = [p for p in remaining if p[0] is layer]
            if earlier or not all(r.key in tensors for r in refs):
                remaining.append(item)
                continue
            real_args = map_structure(lambda r: tensors[r.key] if isinstance(r, _Ref) else r, args)
            real_kwargs = map_structure(lambda r: tensors[r.key] if isinstance(r, _Ref) else r, kwargs)
            out = layer(*real_args, **real_kwargs)
            index = per_layer_calls[layer.name]
            per_layer_calls[layer.name] += 1
            for ti, t in enumerate(flatten(out)):
                tensors[(layer.name, index, ti)] = t
            progress = True
        pending = remaining
    if pending:
        raise ValueError(f"Could not rebuild the model: the inputs of layer(s) "
                         f"{sorted({p[0].name for p in pending})} were never produced.")

    def io(spec):
        if isinstance(spec, dict):
            return {k: io(v) for k, v in spec.items()}
        if _is_history(spec):
            return tensors[(spec[0], spec[1], spec[2])]
        return [io(s) for s in spec]

    inputs, outputs = io(config["input_layers"]), io(config["output_layers"])
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


class _Ref:
    def __init__(self, key):
        self.key = tuple(key)


def _node_args(node_data):
    """Keras 3 {"args", "kwargs"} with __keras_tensor__ dicts, or Keras 2 [[layer, node, tensor, kwargs], ...]."""
    if isinstance(node_data, dict):
        def conv(x):
            if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                return _Ref(x["config"]["keras_history"])
            if isinstance(x, dict):
                return {k: conv(v) for k, v in x.items()}
            if isinstance(x, list):
                return [conv(v) for v in x]
            return x

        return tuple(conv(list(node_data.get("args") or []))), conv(dict(node_data.get("kwargs") or {}))
    refs = [_Ref(item[:3]) for item in node_data]
    kwargs = dict(node_data[0][3]) if node_data and len(node_data[0]) > 3 and node_data[0][3] else {}
    return ((refs[0] if len(refs) == 1 else refs),), kwargs
