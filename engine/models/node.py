"""``Node``: one call of a layer on symbolic tensors, and ``call_symbolic``, what ``layer(keras_tensor)`` runs:
build the layer from shapes, infer the output shapes, record the Node."""

from __future__ import annotations

import numpy as np

from engine.autograd import no_grad
from engine.backend import floatx
from engine.models.keras_tensor import KerasTensor
from engine.models.structure import _is_shape, _shape_struct, flatten, map_structure


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


def _shapes_by_running(layer, shapes, args, kwargs):
    """Fallback shape inference: run the layer on zeros with batch size 1."""
    from engine.backend import get_xp  # noqa: PLC0415

    xp = get_xp()
    dummy = map_structure(lambda s: xp.zeros(tuple(1 if d is None else d for d in s), dtype=floatx()),
                          _shape_struct(shapes))
    with no_grad():
        out = layer(dummy, *args, **{k: v for k, v in kwargs.items() if k != "training"})
    return map_structure(lambda t: (None, *tuple(t.shape[1:])), out)
