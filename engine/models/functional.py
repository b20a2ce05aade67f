"""``Functional``: a Model defined by its input and output tensors (``Model(inputs, outputs)``), executed node
by node in Keras' depth order.

The functional API around it, one file each: ``keras_tensor.py`` (``KerasTensor``), ``node.py`` (``Node``,
``call_symbolic``: what ``layer(keras_tensor)`` runs), ``structure.py`` (nested inputs/outputs),
``graph_map.py`` (Keras' map_graph), ``functional_config.py`` (the config both ways). ``KerasTensor``, ``Node``,
``call_symbolic`` and ``functional_from_config`` are importable from here too (layers and ``Model`` do).
"""

from __future__ import annotations

from engine.layers.base import _fmt
from engine.models.functional_config import functional_from_config, functional_get_config
from engine.models.graph_map import _build_map
from engine.models.keras_tensor import KerasTensor
from engine.models.model import Model
from engine.models.node import Node, call_symbolic
from engine.models.structure import flatten, map_structure

__all__ = ["Functional", "KerasTensor", "Node", "call_symbolic", "functional_from_config"]


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
        return functional_get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return functional_from_config(cls, config, custom_objects)
