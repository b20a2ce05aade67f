"""Model: a Layer that can be trained. ``Model(inputs, outputs)`` gives a Functional model; subclasses
define ``__init__`` + ``call(inputs, training=None)`` (sub-layers found as attributes)."""

from __future__ import annotations

from engine.autograd import no_grad
from engine.backend import floatx, get_xp
from engine.layers.base import Layer
from engine.models.trainer import Trainer


class Model(Trainer, Layer):
    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from engine.models.functional import Functional  # noqa: PLC0415

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(f"{type(self).__name__}: passing `inputs`/`outputs` to a subclassed Model is not "
                            f"supported; build a functional model with `Model(inputs, outputs)` instead.")
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)

    # ---- structure
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if not 0 <= index < len(self.layers) and not -len(self.layers) <= index < 0:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")

    def call(self, inputs, training=None):
        raise NotImplementedError(f"Model {type(self).__name__!r} must implement `call(inputs, training=None)` "
                                  f"or be built with `Model(inputs, outputs)`.")

    # ---- building (subclassed models build their sub-layers on the first call)
    def _build_with_shapes(self, shapes) -> None:
        self.built = True

    def build(self, input_shape=None) -> None:
        """Create the weights by running ``call`` once on zeros of ``input_shape`` (None → 1)."""
        if input_shape is not None and not self.weights:
            with no_grad():
                self(self._zeros(input_shape), training=False)
        self.built = True

    @staticmethod
    def _zeros(shapes):
        xp = get_xp()
        if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
            return [xp.zeros(tuple(1 if d is None else d for d in s), dtype=floatx()) for s in shapes]
        return xp.zeros(tuple(1 if d is None else d for d in shapes), dtype=floatx())

    def compute_output_shape(self, input_shape):
        with no_grad():
            out = self(self._zeros(input_shape), training=False)
        if isinstance(out, (list, tuple)):
            return [(None, *t.shape[1:]) for t in out]
        return (None, *out.shape[1:])

    def __call__(self, inputs, *args, **kwargs):
        outputs = super().__call__(inputs, *args, **kwargs)
        if isinstance(outputs, (list, tuple)) and not getattr(self, "_output_names_seen", None) \
                and not getattr(outputs[0], "_is_symbolic", False):
            object.__setattr__(self, "_output_names_seen", [f"output_{i + 1}" for i in range(len(outputs))])
        return outputs

    @property
    def output_names(self) -> list[str]:
        """Subclassed models: "output", or output_1, output_2, ... once a call returned several tensors."""
        return getattr(self, "_output_names_seen", None) or ["output"]

    # ---- summary, config, saving
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from engine.models.summary import print_summary  # noqa: PLC0415

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      show_trainable=show_trainable)

    def get_config(self) -> dict:
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A functional config (``input_layers``/``output_layers``) rebuilds the graph; else ``cls(**config)``."""
        if "input_layers" in config and "output_layers" in config:
            from engine.models.functional import Functional, functional_from_config  # noqa: PLC0415

            return functional_from_config(Functional if cls is Model else cls, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs) -> str:
        """Keras 3's JSON (``keras.models.model_from_json`` reads it)."""
        from engine.saving import model_to_json  # noqa: PLC0415 - saving imports models

        return model_to_json(self, **kwargs)

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs) -> None:
        from engine import saving  # noqa: PLC0415

        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs) -> None:
        from engine import saving  # noqa: PLC0415

        saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, **kwargs) -> None:
        from engine import saving  # noqa: PLC0415

        saving.load_weights(self, filepath, **kwargs)

    @classmethod
    def from_graph(cls, graph: dict):
        """The editor's graph JSON → a Functional model (engine.graph; raises GraphError)."""
        from engine import graph as graph_module  # noqa: PLC0415

        return graph_module.build_model(graph)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"
