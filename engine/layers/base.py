"""The Layer contract (Keras 3): ``__init__`` stores arguments, ``build(input_shape)`` creates weights,
``call(inputs, training=None)`` computes, ``compute_output_shape`` infers shapes without weights,
``get_config``/``from_config`` round-trip the constructor arguments."""

from __future__ import annotations

import functools
import inspect
import itertools
from collections import defaultdict

import numpy as np

from engine.autograd import Tensor
from engine.backend import floatx, get_xp, to_cpu, to_device
from engine.registry import Registry, snake_case
from engine.variables import Variable

LAYERS = Registry("layer")
register = LAYERS.register

_name_counters: dict[str, itertools.count] = defaultdict(lambda: itertools.count())


def unique_name(prefix: str) -> str:
    n = next(_name_counters[prefix])
    return prefix if n == 0 else f"{prefix}_{n}"


def reset_names() -> None:
    """Forget generated names (Keras' clear_session)."""
    _name_counters.clear()


@functools.cache
def _call_accepts(cls, arg: str) -> bool:
    params = inspect.signature(cls.call).parameters
    return arg in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def is_symbolic(x) -> bool:
    """True for the functional API's placeholders (KerasTensor), or a list of them."""
    if isinstance(x, (list, tuple)):
        return any(is_symbolic(i) for i in x)
    return getattr(x, "_is_symbolic", False)


class InputSpec:
    """What a layer accepts: ``ndim``/``min_ndim`` and fixed sizes of some ``axes`` ({-1: 100})."""

    def __init__(self, ndim=None, min_ndim=None, axes=None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})

    def check(self, layer_name: str, index: int, shape) -> None:
        shape = tuple(shape)
        head = f"Input {index} of layer '{layer_name}' is incompatible with the layer: "
        if self.ndim is not None and len(shape) != self.ndim:
            raise ValueError(f"{head}expected ndim={self.ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {_fmt(shape)}")
        if self.min_ndim is not None and len(shape) < self.min_ndim:
            raise ValueError(f"{head}expected min_ndim={self.min_ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {_fmt(shape)}")
        for axis, size in self.axes.items():
            if -len(shape) <= axis < len(shape) and shape[axis] is not None and shape[axis] != size:
                raise ValueError(f"{head}expected axis {axis} of input shape to have value {size}, "
                                 f"but received input with shape {_fmt(shape)}")


def _fmt(shape) -> str:
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def to_tensor(x, dtype=None) -> Tensor:
    """Inputs from users (lists, numpy arrays) become Tensors on the current device; floats → floatx."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x) if not hasattr(x, "dtype") else x
    if dtype is None:
        dtype = floatx() if arr.dtype.kind in "fb" or arr.dtype == np.float64 else arr.dtype
    return Tensor(to_device(arr, dtype=dtype))


class Layer:
    """Base class of every layer. Sub-layers assigned as attributes are tracked for weights."""

    _ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "input_dim", "batch_size", "dtype", "name",
                       "trainable", "weights", "autocast"}

    def __init__(self, *, trainable: bool = True, name: str | None = None, dtype=None,
                 activity_regularizer=None, **kwargs):
        unknown = set(kwargs) - self._ALLOWED_KWARGS
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() received unknown keyword arguments: "
                            f"{sorted(unknown)}. Expected the Keras arguments of {type(self).__name__}.")
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_weights", [])
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = _dtype_name(dtype)
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._activity_losses: list[Tensor] = []
        self._inbound_nodes: list = []  # functional API: one Node per symbolic call
        self._build_input_shape = None  # the shape build() got (summary, build_config)
        from engine import regularizers  # noqa: PLC0415 - leaf module

        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._batch_input_shape = None
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs:
            self._batch_input_shape = (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
        elif "input_dim" in kwargs:
            self._batch_input_shape = (kwargs.get("batch_size"), int(kwargs["input_dim"]))
        self._initial_weights = kwargs.get("weights")

    # ---- attribute tracking (sub-layers of composite and subclassed layers)
    def __setattr__(self, key, value):
        if isinstance(value, Layer) and key != "_outer":
            self._track(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            for v in value:
                self._track(v)
        object.__setattr__(self, key, value)

    def _track(self, layer: Layer) -> None:
        layers = self.__dict__.setdefault("_layers", [])
        if all(layer is not other for other in layers):
            layers.append(layer)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freezing a layer freezes its sub-layers and stops gradients to its weights (Keras)."""
        object.__setattr__(self, "_trainable", bool(value))
        for w in self._weights:
            w.requires_grad = bool(value) and w.trainable
        for layer in self._layers:
            layer.trainable = value

    # ---- the contract
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, training=None):
        raise NotImplementedError(f"{type(self).__name__} must implement call().")

    def compute_output_shape(self, input_shape):
        """Shape inference without weights; element-wise layers keep the shape."""
        return input_shape

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def get_config(self) -> dict:
        """Keras 3 keys only (no ``batch_input_shape``: models carry the input shape in an InputLayer)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:
            from engine import regularizers  # noqa: PLC0415

            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    # ---- weights
    def add_weight(self, name: str, shape, initializer="glorot_uniform", regularizer=None, constraint=None,
                   trainable: bool = True, dtype=None) -> Variable:
        from engine import constraints, initializers, regularizers  # noqa: PLC0415 - leaf modules

        shape = tuple(int(s) for s in shape)
        init = initializers.get(initializer)
        value = to_device(init(shape, dtype=dtype or self.dtype), dtype=dtype or self.dtype)
        var = Variable(value, name=name, trainable=trainable,
                       regularizer=regularizers.get(regularizer), constraint=constraints.get(constraint),
                       path=f"{self.name}/{name}")
        var.requires_grad = trainable and self.trainable
        self._weights.append(var)
        return var

    @property
    def weights(self) -> list[Variable]:
        """Own weights then sub-layers' weights, in creation order, without duplicates (shared layers)."""
        seen, out = set(), []
        for w in self._own_and_nested_weights():
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    def _own_and_nested_weights(self):
        yield from self._weights
        for layer in self._layers:
            yield from layer.weights

    @property
    def trainable_weights(self) -> list[Variable]:
        """Weights declared trainable in layers (this one and nested ones) that are trainable now."""
        if not self.trainable:
            return []
        out = [w for w in self._weights if w.trainable]
        for layer in self._layers:
            out += layer.trainable_weights
        return _unique(out)

    @property
    def non_trainable_weights(self) -> list[Variable]:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def variables(self):
        return self.weights

    def get_weights(self) -> list[np.ndarray]:
        return [to_cpu(w.data).copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"Layer {self.name!r} expected {len(own)} weight arrays "
                             f"({[tuple(w.shape) for w in own]}), but received {len(weights)}.")
        for var, value in zip(own, weights):
            value = np.asarray(value) if not hasattr(value, "shape") else value
            if tuple(value.shape) != tuple(var.shape):
                raise ValueError(f"Layer {self.name!r} weight {var.name!r} expects shape {tuple(var.shape)}, "
                                 f"received shape {tuple(value.shape)}.")
            var.assign(value)

    def count_params(self) -> int:
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    @property
    def losses(self) -> list[Tensor]:
        """Regularization penalties of the weights (computed now) plus activity penalties of the last call."""
        out = [w.regularizer(w) for w in self.trainable_weights if w.regularizer is not None]
        return out + self._all_activity_losses()

    def _all_activity_losses(self) -> list[Tensor]:
        out, seen, stack = [], set(), [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out += layer._activity_losses
            stack.extend(reversed(layer._layers))
        return out

    def add_loss(self, loss) -> None:
        """A loss computed in ``call`` (kept until the next call of this layer)."""
        self._activity_losses.append(loss)

    # ---- calling
    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(inputs):
            from engine.models.functional import call_symbolic  # noqa: PLC0415 - models import layers

            return call_symbolic(self, inputs, *args, **kwargs)
        inputs = _map(to_tensor, inputs)
        if not self.built:
            self._build_from(inputs)
        elif self.input_spec is not None:
            self._check_input_spec(_map(lambda t: t.shape, inputs))
        if self._activity_losses:
            self._activity_losses = []
        if "mask" not in kwargs and _call_accepts(type(self), "mask"):
            masks = _map(lambda t: t._keras_mask, inputs)
            if masks is not None and _any_not_none(masks):
                kwargs["mask"] = masks
        if "training" in kwargs and not _call_accepts(type(self), "training"):
            kwargs.pop("training")
        outputs = self.call(inputs, *args, **kwargs)
        self._attach_mask(inputs, outputs, kwargs.get("mask"))
        if self.activity_regularizer is not None and isinstance(outputs, Tensor):
            self.add_loss(self.activity_regularizer(outputs) / outputs.shape[0])  # Keras 3: per sample
        return outputs

    def _build_from(self, inputs) -> None:
        self._build_with_shapes(_map(lambda t: (None, *tuple(t.shape[1:])), inputs))

    def _build_with_shapes(self, shapes) -> None:
        """build() from shapes (batch axis included), then the weights given as ``weights=``."""
        self._check_input_spec(shapes)
        self._build_input_shape = shapes
        self.build(shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _check_input_spec(self, shapes) -> None:
        if self.input_spec is None:
            return
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) else [self.input_spec]
        shapes = shapes if isinstance(shapes, list) and shapes and isinstance(shapes[0], (tuple, list)) \
            else [shapes]
        for i, (spec, shape) in enumerate(zip(specs, shapes)):
            if spec is not None:
                spec.check(self.name, i, shape)

    # ---- functional API views (Keras: layer.input / layer.output of its only call)
    def _single_node(self, what: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined {what}.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer '{self.name}' has multiple inbound nodes, hence the notion of "
                                 f"\"layer {what}\" is ill-defined. Use `get_{what}_at(node_index)` instead.")
        return self._inbound_nodes[0]

    @property
    def input(self):
        return self._single_node("input").call_args[0]

    @property
    def output(self):
        return self._single_node("output").outputs

    def get_input_at(self, node_index: int):
        return self._inbound_nodes[node_index].call_args[0]

    def get_output_at(self, node_index: int):
        return self._inbound_nodes[node_index].outputs

    @property
    def input_shape(self):
        return _map(lambda t: t.shape, self.input)

    @property
    def output_shape(self):
        return _map(lambda t: t.shape, self.output)

    def _attach_mask(self, inputs, outputs, mask) -> None:
        if not isinstance(outputs, Tensor):
            return
        if mask is None:
            mask = _map(lambda t: t._keras_mask, inputs)
            mask = mask if mask is not None and _any_not_none(mask) else None
        outputs._keras_mask = self.compute_mask(inputs, mask)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _map(fn, x):
    if isinstance(x, (list, tuple)):
        return [fn(i) for i in x]
    return fn(x)


def _unique(items: list) -> list:
    seen, out = set(), []
    for w in items:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _dtype_name(dtype) -> str:
    """"float32", a Keras 3 DTypePolicy dict, or None (floatx) → a dtype name."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, dict):
        name = (dtype.get("config") or {}).get("name") or floatx()
        return floatx() if name.startswith("mixed") else name
    return str(getattr(dtype, "name", dtype))


def _any_not_none(x) -> bool:
    return any(i is not None for i in x) if isinstance(x, list) else x is not None


def normalize_tuple(value, n: int, name: str) -> tuple[int, ...]:
    """An int or an n-sequence of ints → an n-tuple (kernel_size=3 → (3, 3)), Keras-style errors."""
    if isinstance(value, int):
        return (value,) * n
    try:
        out = tuple(int(v) for v in value)
    except TypeError:
        out = ()
    if len(out) != n:
        raise ValueError(f"The `{name}` argument must be an int or a tuple of {n} ints. Received: {name}={value!r}")
    return out


def xp():
    return get_xp()
