"""The functional API: symbolic ``KerasTensor``s, the ``Node`` each layer call records, and ``Functional``
(a Model defined by its input and output tensors), executed node by node in Keras' depth order."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from engine.autograd import no_grad
from engine.backend import floatx
from engine.layers.base import _fmt
from engine.models.model import Model


class KerasTensor:
    """A placeholder: a shape (batch axis None), a dtype, and the (layer, node index, tensor index) that made it."""

    _is_symbolic = True

    def __init__(self, shape, dtype=None, name=None):
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.dtype = dtype or floatx()
        self.name = name
        self._keras_history = None

    ndim = property(lambda self: len(self.shape))

    def __repr__(self):
        layer = self._keras_history[0].name if self._keras_history else None
        return f"<KerasTensor shape={_fmt(self.shape)}, dtype={self.dtype}, name={layer}>"

    def __len__(self):
        raise TypeError("A symbolic KerasTensor has no length; use `.shape`.")

    # x + y, x - y, x * y between symbolic tensors become the Keras merge layers Add/Subtract/Multiply
    def _merge(self, other, class_name: str, swap: bool = False):
        if not isinstance(other, KerasTensor):
            raise TypeError(f"Symbolic tensors combine only with other symbolic tensors in the functional API "
                            f"(got {type(other).__name__}); wrap constants in a layer.")
        from engine.layers import LAYERS  # noqa: PLC0415

        pair = [other, self] if swap else [self, other]
        return LAYERS.lookup(class_name)()(pair)

    def __add__(self, other):
        return self._merge(other, "Add")

    def __radd__(self, other):
        return self._merge(other, "Add", swap=True)

    def __sub__(self, other):
        return self._merge(other, "Subtract")

    def __rsub__(self, other):
        return self._merge(other, "Subtract", swap=True)

    def __mul__(self, other):
        return self._merge(other, "Multiply")

    def __rmul__(self, other):
        return self._merge(other, "Multiply", swap=True)

    def __array__(self, *args, **kwargs):
        raise TypeError("A symbolic KerasTensor (from `Input`) cannot become a NumPy array. Call a model "
                        "built from it on real data instead.")


class _Leaf(tuple):
    """A shape wrapped so that map_structure treats it as one leaf."""

    def __new__(cls, shape):
        return tuple.__new__(cls, (tuple(shape),))


def flatten(struct) -> list:
    if isinstance(struct, _Leaf):
        return [struct[0]]
    if isinstance(struct, (list, tuple)):
        return [leaf for item in struct for leaf in flatten(item)]
    if isinstance(struct, dict):
        return [leaf for key in struct for leaf in flatten(struct[key])]
    return [struct]


def map_structure(fn, struct):
    if isinstance(struct, _Leaf):
        return fn(struct[0])
    if isinstance(struct, list):
        return [map_structure(fn, s) for s in struct]
    if isinstance(struct, tuple):
        return tuple(map_structure(fn, s) for s in struct)
    if isinstance(struct, dict):
        return {k: map_structure(fn, v) for k, v in struct.items()}
    return fn(struct)


def _is_shape(s) -> bool:
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


class Node:
    """One call of a layer on symbolic tensors: its arguments (with KerasTensors inside) and its outputs."""

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [t for t in flatten([list(self.call_args), self.call_kwargs])
                              if isinstance(t, KerasTensor)]
        self.output_tensors = flatten(outputs)
        self.is_input = not self.input_tensors
        layer._inbound_nodes.append(self)
        index = len(layer._inbound_nodes) - 1
        for i, t in enumerate(self.output_tensors):
            t._keras_history = (layer, index, i)

    @property
    def parent_nodes(self) -> list[Node]:
        return [t._keras_history[0]._inbound_nodes[t._keras_history[1]] for t in self.input_tensors
                if t._keras_history is not None]


def call_symbolic(layer, inputs, *args, **kwargs):
    """``layer(keras_tensor)``: build the layer from shapes, infer the output shape, record a Node."""
    shapes = map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else tuple(np.shape(t)), inputs)
    if not layer.built:
        layer._build_with_shapes(shapes)
    else:
        layer._check_input_spec(shapes)
    try:
        out_shapes = layer.compute_output_shape(shapes)
    except NotImplementedError:
        out_shapes = _shapes_by_running(layer, shapes, args, kwargs)
    if _is_shape(out_shapes):
        outputs = KerasTensor(out_shapes, dtype=floatx())
    else:
        outputs = map_structure(lambda s: KerasTensor(s, dtype=floatx()), _shape_struct(out_shapes))
    Node(layer, (inputs, *args), kwargs, outputs)
    return outputs


def _shape_struct(shapes):
    """Nested lists of shapes → the same nesting with each shape wrapped as a leaf."""
    if _is_shape(shapes):
        return _Leaf(shapes)
    if isinstance(shapes, dict):
        return {k: _shape_struct(v) for k, v in shapes.items()}
    return [_shape_struct(s) for s in shapes]


def _shapes_by_running(layer, shapes, args, kwargs):
    """Fallback shape inference: run the layer on zeros with batch size 1."""
    from engine.backend import get_xp  # noqa: PLC0415

    xp = get_xp()
    dummy = map_structure(lambda s: xp.zeros(tuple(1 if d is None else d for d in s), dtype=floatx()),
                          _shape_struct(shapes))
    with no_grad():
        out = layer(dummy, *args, **{k: v for k, v in kwargs.items() if k != "training"})
    return map_structure(lambda t: (None, *tuple(t.shape[1:])), out)


# ---------------------------------------------------------------- the graph


def _build_map(inputs, outputs):
    """Keras' map_graph: nodes by depth and layers in model.layers order (deepest first, then DFS order)."""
    input_ids = {id(t) for t in inputs}
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth, layer_indices = [], {}

    def visit(tensor):
        if tensor._keras_history is None:
            raise ValueError(f"Output tensors of a Functional model must be the output of a layer. Received: {tensor}")
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle at layer '{layer.name}'.")
        layer_indices.setdefault(id(layer), (len(layer_indices), layer))
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_in_decreasing_depth.append(node)

    for out in outputs:
        visit(out)

    node_depth, layer_depth = {}, {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # inputs not connected to any output still count as layers
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_indices[id(layer)] = (-1, layer)
    nodes = {id(n): n for n in nodes_in_decreasing_depth}
    by_depth = defaultdict(list)
    for key, depth in node_depth.items():
        if key in nodes:
            by_depth[depth].append(nodes[key])
    ordered_nodes = [n for d in sorted(by_depth, reverse=True) for n in by_depth[d]]
    layers_by_depth = defaultdict(list)
    for key, depth in layer_depth.items():
        layers_by_depth[depth].append(layer_indices[key])
    layers = [layer for d in sorted(layers_by_depth, reverse=True)
              for _, layer in sorted(layers_by_depth[d], key=lambda p: p[0])]
    return ordered_nodes, layers


class Functional(Model):
    """``Model(inputs, outputs)``: a graph of layer calls (several inputs/outputs, shared layers, nested models)."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if isinstance(inputs, dict):
            inputs = {k: v for k, v in inputs.items()}
        flat_in, flat_out = flatten(inputs), flatten(outputs)
        for t in flat_in + flat_out:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` of a Functional model must be KerasTensors "
                                 f"(from `Input` and layer calls). Received: {t!r}")
        object.__setattr__(self, "_input_struct", inputs)
        object.__setattr__(self, "_output_struct", outputs)
        object.__setattr__(self, "_inputs", flat_in)
        object.__setattr__(self, "_outputs", flat_out)
        nodes, layers = _build_map(flat_in, flat_out)
        self._check_connected(nodes, flat_in)
        input_ids = {id(t) for t in flat_in}
        object.__setattr__(self, "_nodes", [n for n in nodes if not n.is_input])
        object.__setattr__(self, "_node_set", {id(n) for n in nodes})
        object.__setattr__(self, "_layers", layers)
        self._nodes = [n for n in self._nodes if not all(id(t) in input_ids for t in n.output_tensors)]
        self.built = True

    def _check_connected(self, nodes, inputs) -> None:
        known = {id(t) for t in inputs}
        for node in nodes:
            if node.is_input and not any(id(t) in known for t in node.output_tensors):
                t = node.output_tensors[0]
                raise ValueError(f"Graph disconnected: cannot find parent for tensor {t} at layer "
                                 f"'{node.layer.name}'. The following previous layers were accessed without "
                                 f"issue: {[n.layer.name for n in nodes if n is not node][:10]}")
            known.update(id(t) for t in node.output_tensors)

    # ---- structure
    @property
    def inputs(self) -> list:
        return list(self._inputs)

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def input(self):
        return self._input_struct

    @property
    def output(self):
        return self._output_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self._inputs]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._output_struct, dict):
            return list(self._output_struct)
        names, seen = [], {}
        for t in self._outputs:
            name = t._keras_history[0].name
            seen[name] = seen.get(name, -1) + 1
            names.append(name if seen[name] == 0 else f"{name}_{seen[name]}")
        return names

    # ---- execution
    def _flat_inputs(self, inputs) -> list:
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing} of model '{self.name}'. "
                                 f"Expected keys: {self.input_names}. Received keys: {list(inputs)}")
            return [inputs[n] for n in self.input_names]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self._inputs):
            raise ValueError(f"Layer '{self.name}' expects {len(self._inputs)} input(s), but it received "
                             f"{len(flat)} input tensors.")
        return flat

    def call(self, inputs, training=None, mask=None):
        flat = self._flat_inputs(inputs)
        values = {}
        for i, (kt, x) in enumerate(zip(self._inputs, flat, strict=False)):
            if x.ndim != len(kt.shape):
                raise ValueError(f"Input {i} of layer '{self.name}' is incompatible with the layer: expected "
                                 f"shape={_fmt(kt.shape)}, found shape={_fmt(tuple(x.shape))}")
            values[id(kt)] = x
        for node in self._nodes:
            args = map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, node.call_args)
            kwargs = map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, node.call_kwargs)
            if training is not None and "training" not in kwargs:
                kwargs["training"] = training
            out = node.layer(*args, **kwargs)
            for kt, value in zip(node.output_tensors, flatten(out), strict=False):
                values[id(kt)] = value
        return map_structure(lambda t: values[id(t)], self._output_struct)

    def _build_with_shapes(self, shapes) -> None:
        self.built = True

    def build(self, input_shape=None) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        return map_structure(lambda t: t.shape, self._output_struct)

    # ---- config (Keras 3 layout, FORMAT.md 3.2)
    def _node_index_map(self) -> dict:
        """(layer id, node index in the layer) → node index counted among this model's nodes only."""
        mapping = {}
        for layer in self.layers:
            kept = 0
            for i, node in enumerate(layer._inbound_nodes):
                if id(node) in self._node_set:
                    mapping[(id(layer), i)] = kept
                    kept += 1
        return mapping

    def get_config(self) -> dict:
        from engine.layers import serialize  # noqa: PLC0415

        mapping = self._node_index_map()

        def history(t):
            layer, node_index, tensor_index = t._keras_history
            return [layer.name, mapping.get((id(layer), node_index), node_index), tensor_index]

        def tensor_config(t):
            if not isinstance(t, KerasTensor):
                return t
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(t.shape), "dtype": t.dtype, "keras_history": history(t)}}

        layers = []
        for layer in self.layers:
            entry = serialize(layer)
            nodes = []
            if not type(layer).__name__ == "InputLayer":
                for node in layer._inbound_nodes:
                    if id(node) in self._node_set:
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

        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": io(self._input_struct), "output_layers": io(self._output_struct)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return functional_from_config(cls, config, custom_objects)


def _plain(struct):
    """Tuples → lists (JSON)."""
    if isinstance(struct, (list, tuple)):
        return [_plain(s) for s in struct]
    if isinstance(struct, dict):
        return {k: _plain(v) for k, v in struct.items()}
    return struct


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
