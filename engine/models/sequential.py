"""Sequential: a plain stack of layers, each with one input and one output (Keras 3 behaviour: built as
soon as the input shape is known, the InputLayer kept apart from ``layers``)."""

from __future__ import annotations

from engine.layers.base import Layer, register
from engine.layers.core import InputLayer
from engine.models.functional import KerasTensor
from engine.models.model import Model


@register
class Sequential(Model):
    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        object.__setattr__(self, "_input_layer", None)
        object.__setattr__(self, "_graph_nodes", [])
        object.__setattr__(self, "_output_tensor", None)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    # ---- editing
    def add(self, layer, rebuild: bool = True) -> None:
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `engine.layers.Layer` can be added to a Sequential model. "
                             f"Received: {layer!r} (of type {type(layer).__name__})")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError(f"Sequential model '{self.name}' has already been configured to use input "
                                 f"shape {self._input_shape_text()}. You cannot add a different Input layer to it.")
            object.__setattr__(self, "_input_layer", layer)
        else:
            if any(other.name == layer.name for other in self._layers):
                raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                                 f"'{layer.name}' is already the name of a layer in this model. Update the "
                                 f"`name` argument to pass a unique name.")
            if not self._layers and self._input_layer is None and layer._batch_input_shape is not None:
                object.__setattr__(self, "_input_layer", InputLayer(batch_shape=layer._batch_input_shape))
            self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild: bool = True) -> Layer:
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _input_shape_text(self) -> str:
        return str(tuple(self._input_layer.batch_shape)) if self._input_layer is not None else "None"

    # ---- building: a symbolic pass through the layers (builds them, records shapes for summary)
    def _maybe_rebuild(self) -> None:
        self._clear_graph()
        self.built = False
        if self._input_layer is not None and self._layers:
            self.build(self._input_layer.batch_shape)

    def _clear_graph(self) -> None:
        for node in self._graph_nodes:
            nodes = node.layer._inbound_nodes
            for i in range(len(nodes) - 1, -1, -1):
                if nodes[i] is node:
                    del nodes[i]
        self._graph_nodes.clear()
        object.__setattr__(self, "_output_tensor", None)

    def build(self, input_shape=None) -> None:
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(f"Sequential model '{self.name}' cannot be built because it has no input shape. "
                                 f"Add an `Input(shape=...)` first or pass `input_shape` to `build()`.")
            input_shape = self._input_layer.batch_shape
        if self._input_layer is None:
            object.__setattr__(self, "_input_layer", InputLayer(batch_shape=tuple(input_shape)))
        self._clear_graph()
        x = self._input_layer.output
        for layer in self._layers:
            before = len(layer._inbound_nodes)
            x = layer(x)
            self._graph_nodes.extend(layer._inbound_nodes[before:])
            if not isinstance(x, KerasTensor):
                raise ValueError(f"All layers in a Sequential model should have a single output tensor. "
                                 f"Layer '{layer.name}' has multiple outputs; use the functional API instead.")
        object.__setattr__(self, "_output_tensor", x)
        self.built = True

    def _build_with_shapes(self, shapes) -> None:
        if not self.built:
            self.build(shapes)

    # ---- running
    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        if self._output_tensor is not None and tuple(input_shape[1:]) == tuple(self._input_layer.batch_shape[1:]):
            return self._output_tensor.shape
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ---- structure
    @property
    def inputs(self) -> list:
        return [self._input_layer.output] if self._input_layer is not None and self.built else []

    @property
    def outputs(self) -> list:
        return [self._output_tensor] if self._output_tensor is not None else []

    @property
    def input(self):
        return self.inputs[0] if self.inputs else None

    @property
    def output(self):
        return self._output_tensor

    @property
    def input_shape(self):
        return tuple(self._input_layer.batch_shape) if self._input_layer is not None else None

    @property
    def output_shape(self):
        return self._output_tensor.shape if self._output_tensor is not None else None

    def _layer_output_shape(self, layer):
        for node in self._graph_nodes:
            if node.layer is layer:
                return node.outputs.shape
        return None

    # ---- config (Keras 3: InputLayer first when the input shape is known, then build_input_shape)
    def get_config(self) -> dict:
        from engine.layers import serialize  # noqa: PLC0415

        layers = [serialize(self._input_layer)] if self._input_layer is not None else []
        layers += [serialize(layer) for layer in self._layers]
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype, "layers": layers}
        if self._input_layer is not None:
            config["build_input_shape"] = list(self._input_layer.batch_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from engine.layers import deserialize  # noqa: PLC0415

        if isinstance(config, list):  # Keras 2.0: the layer list itself
            config = {"layers": config}
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config.get("layers", []):
            model.add(deserialize(entry, custom_objects), rebuild=False)
        if model._input_layer is None and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        else:
            model._maybe_rebuild()
        return model
