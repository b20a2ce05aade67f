"""``catalog()``: every registered layer with its parameters — the one source of the editor's palette and forms.

Parameter names, defaults and required-ness come from each layer's ``__init__`` signature; the small tables
below add what a signature can't say: the palette group and help line of each layer (``LAYER_INFO``), and
per parameter its type, range, choices and help (``PARAM_INFO``, by parameter name, with per-layer
overrides in ``LAYER_INFO``). A layer missing from ``LAYER_INFO`` still appears: its group comes from its
module (``engine/layers/conv.py`` → convolution) and its help from its docstring's first line.

Entry (docs/contracts.md)::

    {"name", "group", "help", "inputs": 0 | 1 | "many", "key_params": [...],
     "params": [{"name", "type", "default", "required", "min", "max", "choices", "help"}]}

Types: int, float, bool, string, choice, shape, int_or_tuple, and ``layer`` (a nested
``{"class_name", "config"}`` layer, for the Bidirectional / TimeDistributed wrappers).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

from engine.layers.base import LAYERS
from engine.layers.base import Layer as LAYER_BASE
from engine.registry import snake_case

GROUPS = ("input", "core", "convolution", "pooling", "normalization", "regularization", "recurrent", "merge",
          "reshaping", "embedding", "advanced")

_MODULE_GROUPS = {"core": "core", "conv": "convolution", "convolution": "convolution", "pooling": "pooling",
                  "normalization": "normalization", "embedding": "embedding", "recurrent": "recurrent",
                  "merge": "merge", "reshaping": "reshaping", "noise": "regularization", "regularization":
                  "regularization", "rbm": "advanced", "activation": "advanced", "activations": "advanced"}

# Parameters never shown in forms: set by the graph itself or meaningless in the editor.
_HIDDEN = {"self", "name", "dtype", "trainable", "input_shape", "batch_input_shape", "batch_size",
           "weights", "sparse", "ragged", "optional", "batch_shape", "input_tensor", "backward_layer", "cell",
           "seed", "autocast", "kwargs", "args", "lora_rank", "lora_alpha", "quantization_config"}

_TUPLE_PARAMS = {"kernel_size", "strides", "pool_size", "dilation_rate", "size", "cropping", "padding_size",
                 "target_shape_2d"}


def _p(type_, help_, *, min=None, max=None, choices=None):  # noqa: A002 - mirrors the entry's keys
    return {"type": type_, "help": help_, "min": min, "max": max, "choices": choices}


# Choice lists that come from registries are filled in by ``_choices`` (marked with these tokens).
ACT, INIT, REG, CONS = "@activation", "@initializer", "@regularizer", "@constraint"

PARAM_INFO: dict[str, dict] = {
    "units": _p("int", "Number of output units.", min=1),
    "activation": _p("choice", "Activation function applied to the output (none = linear).", choices=ACT),
    "recurrent_activation": _p("choice", "Activation of the gates.", choices=ACT),
    "use_bias": _p("bool", "Whether the layer adds a bias vector."),
    "kernel_initializer": _p("choice", "Initializer of the kernel weights.", choices=INIT),
    "recurrent_initializer": _p("choice", "Initializer of the recurrent kernel.", choices=INIT),
    "bias_initializer": _p("choice", "Initializer of the bias.", choices=INIT),
    "depthwise_initializer": _p("choice", "Initializer of the depthwise kernel.", choices=INIT),
    "pointwise_initializer": _p("choice", "Initializer of the pointwise kernel.", choices=INIT),
    "embeddings_initializer": _p("choice", "Initializer of the embedding matrix.", choices=INIT),
    "beta_initializer": _p("choice", "Initializer of beta (the learned offset).", choices=INIT),
    "gamma_initializer": _p("choice", "Initializer of gamma (the learned scale).", choices=INIT),
    "moving_mean_initializer": _p("choice", "Initializer of the moving mean.", choices=INIT),
    "moving_variance_initializer": _p("choice", "Initializer of the moving variance.", choices=INIT),
    "alpha_initializer": _p("choice", "Initializer of the learned slopes.", choices=INIT),
    "kernel_regularizer": _p("choice", "Penalty on the kernel weights (0.01 by default).", choices=REG),
    "recurrent_regularizer": _p("choice", "Penalty on the recurrent kernel.", choices=REG),
    "bias_regularizer": _p("choice", "Penalty on the bias.", choices=REG),
    "activity_regularizer": _p("choice", "Penalty on the layer's output.", choices=REG),
    "depthwise_regularizer": _p("choice", "Penalty on the depthwise kernel.", choices=REG),
    "pointwise_regularizer": _p("choice", "Penalty on the pointwise kernel.", choices=REG),
    "embeddings_regularizer": _p("choice", "Penalty on the embedding matrix.", choices=REG),
    "beta_regularizer": _p("choice", "Penalty on beta.", choices=REG),
    "gamma_regularizer": _p("choice", "Penalty on gamma.", choices=REG),
    "alpha_regularizer": _p("choice", "Penalty on the learned slopes.", choices=REG),
    "kernel_constraint": _p("choice", "Constraint applied to the kernel after each update.", choices=CONS),
    "recurrent_constraint": _p("choice", "Constraint on the recurrent kernel.", choices=CONS),
    "bias_constraint": _p("choice", "Constraint on the bias.", choices=CONS),
    "depthwise_constraint": _p("choice", "Constraint on the depthwise kernel.", choices=CONS),
    "pointwise_constraint": _p("choice", "Constraint on the pointwise kernel.", choices=CONS),
    "embeddings_constraint": _p("choice", "Constraint on the embedding matrix.", choices=CONS),
    "beta_constraint": _p("choice", "Constraint on beta.", choices=CONS),
    "gamma_constraint": _p("choice", "Constraint on gamma.", choices=CONS),
    "alpha_constraint": _p("choice", "Constraint on the learned slopes.", choices=CONS),
    "filters": _p("int", "Number of output channels (filters).", min=1),
    "kernel_size": _p("int_or_tuple", "Size of the convolution window.", min=1),
    "strides": _p("int_or_tuple", "Step of the window.", min=1),
    "pool_size": _p("int_or_tuple", "Size of the pooling window.", min=1),
    "dilation_rate": _p("int_or_tuple", "Spacing between kernel elements (dilated convolution).", min=1),
    "padding": _p("choice", "'valid': no padding; 'same': pad so that output size = input size / strides.",
                  choices=["valid", "same"]),
    "data_format": _p("choice", "Position of the channels axis.", choices=["channels_last"]),
    "groups": _p("int", "Number of groups the channels are split into (grouped convolution).", min=1),
    "depth_multiplier": _p("int", "Output channels per input channel of the depthwise step.", min=1),
    "output_padding": _p("int_or_tuple", "Extra size added to one side of the output.", min=0),
    "rate": _p("float", "Fraction of the inputs to drop (0 to 1).", min=0.0, max=1.0),
    "noise_shape": _p("shape", "Shape of the dropout mask (null = same as the input)."),
    "stddev": _p("float", "Standard deviation of the noise.", min=0.0),
    "axis": _p("int", "Axis the layer works along (-1 = last)."),
    "axes": _p("int_or_tuple", "Axes along which the dot product is taken."),
    "normalize": _p("bool", "L2-normalize the samples before the dot product (cosine similarity)."),
    "momentum": _p("float", "Momentum of the moving mean and variance.", min=0.0, max=1.0),
    "epsilon": _p("float", "Small number added to the variance to avoid dividing by zero.", min=0.0),
    "center": _p("bool", "Learn an offset beta."),
    "scale": _p("bool", "Learn a scale gamma."),
    "synchronized": _p("bool", "Synchronize statistics across devices (no effect here)."),
    "rms_scaling": _p("bool", "Scale by the root mean square only (RMSNorm)."),
    "input_dim": _p("int", "Size of the vocabulary: token ids are 0 .. input_dim - 1.", min=1),
    "output_dim": _p("int", "Size of each embedding vector.", min=1),
    "mask_zero": _p("bool", "Treat token id 0 as padding: later layers (RNNs) skip those steps."),
    "input_length": _p("int", "Length of the input sequences (Keras 2 argument).", min=1),
    "return_sequences": _p("bool", "Return the output of every time step, not only the last one."),
    "return_state": _p("bool", "Also return the final state(s) (several outputs)."),
    "go_backwards": _p("bool", "Process the sequence backwards."),
    "stateful": _p("bool", "Keep the state between batches."),
    "unroll": _p("bool", "Unroll the loop over time steps."),
    "dropout": _p("float", "Fraction of the inputs dropped (0 to 1).", min=0.0, max=1.0),
    "recurrent_dropout": _p("float", "Fraction of the recurrent state dropped (0 to 1).", min=0.0, max=1.0),
    "unit_forget_bias": _p("bool", "Initialize the forget gate's bias to 1."),
    "reset_after": _p("bool", "Apply the reset gate after the matrix product (Keras 3 and cuDNN default)."),
    "implementation": _p("int", "Implementation mode (kept for Keras compatibility).", min=1, max=2),
    "time_major": _p("bool", "Inputs are (time, batch, features) (Keras 2 argument)."),
    "use_cudnn": _p("choice", "Use cuDNN when available (no effect here).", choices=["auto"]),
    "merge_mode": _p("choice", "How the forward and backward outputs are combined.",
                     choices=["concat", "sum", "mul", "ave"]),
    "layer": _p("layer", "The wrapped layer, as {\"class_name\": ..., \"config\": {...}}."),
    "target_shape": _p("shape", "Output shape without the batch axis (one entry may be -1)."),
    "dims": _p("int_or_tuple", "New order of the axes, starting at 1 (the batch axis stays first)."),
    "n": _p("int", "Number of repetitions.", min=1),
    "size": _p("int_or_tuple", "Upsampling factor per axis.", min=1),
    "interpolation": _p("choice", "Interpolation used to upsample.", choices=["nearest"]),
    "cropping": _p("int_or_tuple", "Steps / rows / columns cropped from each side.", min=0),
    "negative_slope": _p("float", "Slope for x < 0.", min=0.0),
    "alpha": _p("float", "Slope / scale for x < 0.", min=0.0),
    "max_value": _p("float", "Upper bound of the output (null = none).", min=0.0),
    "threshold": _p("float", "Inputs below it are zeroed (or scaled by the negative slope)."),
    "theta": _p("float", "Threshold of activation.", min=0.0),
    "shared_axes": _p("int_or_tuple", "Axes along which the learned slopes are shared."),
    "mask_value": _p("float", "Time steps whose features all equal it are skipped."),
    "keepdims": _p("bool", "Keep the pooled axes with size 1."),
    "l1": _p("float", "L1 penalty factor on the output.", min=0.0),
    "l2": _p("float", "L2 penalty factor on the output.", min=0.0),
    "shape": _p("shape", "Shape of one sample, without the batch axis, e.g. 4 or 28, 28, 1."),
    "hidden_units": _p("int", "Number of hidden units.", min=1),
    "n_components": _p("int", "Number of hidden units.", min=1),
    "learning_rate": _p("float", "Learning rate of contrastive-divergence pre-training.", min=0.0),
    "k": _p("int", "Gibbs sampling steps per contrastive-divergence update (CD-k).", min=1),
    "visible": _p("choice", "Type of the visible units.", choices=["binary", "gaussian"]),
}

# group, help, key_params, per-parameter overrides (merged over PARAM_INFO)
LAYER_INFO: dict[str, tuple] = {
    "Input": ("input", "Where data enters the model: the shape of one sample.", ["shape"], {}),
    "InputLayer": ("input", "Where data enters the model: the shape of one sample.", ["shape"], {}),
    "Dense": ("core", "Densely-connected layer: activation(x @ kernel + bias).", ["units", "activation"], {}),
    "Activation": ("core", "Applies an activation function to its input.", ["activation"],
                   {"activation": {"help": "Activation function."}}),
    "Dropout": ("regularization", "Randomly sets a fraction `rate` of inputs to 0 during training.", ["rate"], {}),
    "Flatten": ("reshaping", "Flattens each sample to one vector (H, W, C order).", [], {}),
    "Reshape": ("reshaping", "Reshapes each sample to `target_shape`.", ["target_shape"], {}),
    "Permute": ("reshaping", "Permutes the axes of each sample.", ["dims"], {}),
    "RepeatVector": ("reshaping", "Repeats a vector n times: (batch, f) → (batch, n, f).", ["n"], {}),
    "Masking": ("core", "Skips time steps whose features all equal `mask_value`.", ["mask_value"], {}),
    "Conv1D": ("convolution", "1D convolution over time steps (sequences, signals).",
               ["filters", "kernel_size", "activation"],
               {"padding": {"choices": ["valid", "same", "causal"],
                            "help": "'valid', 'same', or 'causal' (no look-ahead, for time series)."}}),
    "Conv2D": ("convolution", "2D convolution over images (H, W, C).", ["filters", "kernel_size", "activation"], {}),
    "Conv3D": ("convolution", "3D convolution over volumes.", ["filters", "kernel_size", "activation"], {}),
    "Conv1DTranspose": ("convolution", "Transposed 1D convolution (learned upsampling).",
                        ["filters", "kernel_size", "strides"], {}),
    "Conv2DTranspose": ("convolution", "Transposed 2D convolution (learned upsampling).",
                        ["filters", "kernel_size", "strides"], {}),
    "SeparableConv1D": ("convolution", "Depthwise then pointwise 1D convolution.", ["filters", "kernel_size"], {}),
    "SeparableConv2D": ("convolution", "Depthwise then pointwise 2D convolution: fewer weights.",
                        ["filters", "kernel_size"], {}),
    "DepthwiseConv1D": ("convolution", "1D convolution of each channel separately.", ["kernel_size"], {}),
    "DepthwiseConv2D": ("convolution", "2D convolution of each channel separately.", ["kernel_size"], {}),
    "MaxPooling1D": ("pooling", "Maximum over windows of time steps.", ["pool_size"], {}),
    "MaxPooling2D": ("pooling", "Maximum over windows of pixels.", ["pool_size"], {}),
    "MaxPooling3D": ("pooling", "Maximum over windows of voxels.", ["pool_size"], {}),
    "AveragePooling1D": ("pooling", "Average over windows of time steps.", ["pool_size"], {}),
    "AveragePooling2D": ("pooling", "Average over windows of pixels.", ["pool_size"], {}),
    "AveragePooling3D": ("pooling", "Average over windows of voxels.", ["pool_size"], {}),
    "GlobalMaxPooling1D": ("pooling", "Maximum over all time steps: (batch, steps, f) → (batch, f).", [], {}),
    "GlobalMaxPooling2D": ("pooling", "Maximum over all pixels: (batch, h, w, c) → (batch, c).", [], {}),
    "GlobalAveragePooling1D": ("pooling", "Average over all time steps: (batch, steps, f) → (batch, f).", [], {}),
    "GlobalAveragePooling2D": ("pooling", "Average over all pixels: (batch, h, w, c) → (batch, c).", [], {}),
    "BatchNormalization": ("normalization", "Normalizes each feature over the batch; moving statistics at "
                                            "inference.", ["momentum"], {}),
    "LayerNormalization": ("normalization", "Normalizes each sample over its features.", ["axis"],
                           {"axis": {"type": "int_or_tuple"}}),
    "Embedding": ("embedding", "Maps token ids (0 .. input_dim - 1) to dense vectors.", ["input_dim", "output_dim"],
                  {}),
    "SimpleRNN": ("recurrent", "Fully-connected recurrent layer: h = activation(x K + h R + b).",
                  ["units", "return_sequences"], {}),
    "LSTM": ("recurrent", "Long short-term memory layer.", ["units", "return_sequences"], {}),
    "GRU": ("recurrent", "Gated recurrent unit layer.", ["units", "return_sequences"], {}),
    "Bidirectional": ("recurrent", "Runs a recurrent layer forwards and backwards and merges the outputs.",
                      ["layer", "merge_mode"],
                      {"layer": {"default": {"class_name": "LSTM", "config": {"units": 32}},
                                 "help": "The recurrent layer, as {\"class_name\": \"LSTM\", \"config\": {...}}."}}),
    "TimeDistributed": ("recurrent", "Applies a layer to every time step.", ["layer"],
                        {"layer": {"default": {"class_name": "Dense", "config": {"units": 32}}}}),
    "Add": ("merge", "Element-wise sum of its inputs (same shapes).", [], {}),
    "Subtract": ("merge", "First input minus the second (exactly two inputs).", [], {}),
    "Multiply": ("merge", "Element-wise product of its inputs.", [], {}),
    "Average": ("merge", "Element-wise average of its inputs.", [], {}),
    "Maximum": ("merge", "Element-wise maximum of its inputs.", [], {}),
    "Minimum": ("merge", "Element-wise minimum of its inputs.", [], {}),
    "Concatenate": ("merge", "Joins its inputs along an axis (others must match).", ["axis"], {}),
    "Dot": ("merge", "Dot product of two inputs along the given axes.", ["axes"], {}),
    "ZeroPadding1D": ("reshaping", "Pads sequences with zeros at both ends.", ["padding"],
                      {"padding": {"type": "int_or_tuple", "choices": None, "min": 0,
                                   "help": "Zeros added at the start and end."}}),
    "ZeroPadding2D": ("reshaping", "Pads images with rows and columns of zeros.", ["padding"],
                      {"padding": {"type": "int_or_tuple", "choices": None, "min": 0,
                                   "help": "Rows/columns of zeros added on each side."}}),
    "Cropping1D": ("reshaping", "Crops time steps from both ends.", ["cropping"], {}),
    "Cropping2D": ("reshaping", "Crops rows and columns from the sides of images.", ["cropping"],
                   {"cropping": {"default": 0, "min": 0, "help": "Rows/columns cropped from each side: one number, "
                                                                  "or (rows, columns)."}}),
    "UpSampling1D": ("reshaping", "Repeats each time step `size` times.", ["size"], {}),
    "UpSampling2D": ("reshaping", "Repeats rows and columns `size` times.", ["size"], {}),
    "SpatialDropout1D": ("regularization", "Drops whole feature channels of sequences.", ["rate"], {}),
    "SpatialDropout2D": ("regularization", "Drops whole feature maps of images.", ["rate"], {}),
    "GaussianNoise": ("regularization", "Adds zero-centred Gaussian noise during training.", ["stddev"], {}),
    "GaussianDropout": ("regularization", "Multiplies by 1-centred Gaussian noise during training.", ["rate"], {}),
    "AlphaDropout": ("regularization", "Dropout that keeps SELU's mean and variance.", ["rate"], {}),
    "ActivityRegularization": ("regularization", "Adds an L1/L2 penalty on its input to the loss.", ["l1", "l2"],
                               {}),
    "ReLU": ("advanced", "Rectified linear unit with optional cap, slope and threshold.", ["max_value"], {}),
    "LeakyReLU": ("advanced", "x for x >= 0, negative_slope * x otherwise.", ["negative_slope"], {}),
    "PReLU": ("advanced", "Leaky ReLU with a learned slope per unit.", [], {}),
    "ELU": ("advanced", "Exponential linear unit.", ["alpha"], {}),
    "Softmax": ("advanced", "Softmax along an axis.", ["axis"], {}),
    "ThresholdedReLU": ("advanced", "x where x > theta, 0 otherwise.", ["theta"], {}),
    "RBM": ("advanced", "Restricted Boltzmann machine: pre-trained with contrastive divergence, then a Dense "
                        "sigmoid layer.", ["units"], {}),
}


# ---------------------------------------------------------------------------------------------- public API
def catalog() -> list[dict]:
    """Every registered layer (plus ``Input``), grouped in palette order. Fresh list each call."""
    load_layers()
    return [dict(entry, params=[dict(p) for p in entry["params"]]) for entry in _catalog(tuple(LAYERS.names()))]


def load_layers(*, strict: bool = True) -> None:
    """Import every module of ``engine.layers`` so the registry is complete (tried once per process).

    A module that fails to import is skipped with ``strict=False`` (``validate`` must answer even then) and
    re-raised with ``strict=True`` (the catalog should not hide a broken layer family).
    """
    if not _load_state["done"]:
        import engine.layers as package  # noqa: PLC0415

        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                try:
                    importlib.import_module(f"engine.layers.{info.name}")
                except Exception:  # noqa: BLE001
                    _load_state["failed"].append(info.name)
        _load_state["done"] = True
    if strict:
        for name in _load_state["failed"]:
            importlib.import_module(f"engine.layers.{name}")


_load_state: dict = {"done": False, "failed": []}


@functools.lru_cache(maxsize=1024)
def layer_name(cls) -> str:
    """The registered (Keras) name of a layer class."""
    return LAYERS.canonical_name(cls) or cls.__name__


@functools.lru_cache(maxsize=1024)
def layer_group(cls) -> str:
    """Palette group of a layer class: from ``LAYER_INFO``, else from its module's name."""
    if cls is None:
        return "advanced"
    name = layer_name(cls)
    if name in LAYER_INFO:
        return LAYER_INFO[name][0]
    for klass in cls.__mro__:
        if klass.__name__ in LAYER_INFO:
            return LAYER_INFO[klass.__name__][0]
    return _MODULE_GROUPS.get(cls.__module__.rsplit(".", 1)[-1], "advanced")


def is_model_class(cls) -> bool:
    """Models are registered too (for deserializing nested models) but are not palette layers."""
    return any(k.__name__ == "Model" and k.__module__.startswith("engine.models") for k in cls.__mro__)


@functools.lru_cache(maxsize=1024)
def input_arity(cls) -> int | str:
    """0 for Input, "many" for merge layers (they take a list of tensors), 1 otherwise."""
    name = layer_name(cls)
    if name in ("Input", "InputLayer"):
        return 0
    return "many" if layer_group(cls) == "merge" else 1


# ---------------------------------------------------------------------------------------------- building
@functools.cache
def _catalog(names: tuple[str, ...]) -> list[dict]:
    entries = []
    if "Input" not in names and "InputLayer" not in names:
        entries.append(_input_entry())
    for name in names:
        cls = LAYERS.lookup(name)
        if name == "InputLayer" or (name == "Input" and isinstance(cls, type) and cls.__name__ == "InputLayer"):
            entries.append(_input_entry(name="Input"))
            continue
        if not isinstance(cls, type) or is_model_class(cls):
            continue
        entries.append(_entry(name, cls))
    seen, unique = set(), []
    for e in entries:
        if e["name"] not in seen:
            seen.add(e["name"])
            unique.append(e)
    unique.sort(key=lambda e: GROUPS.index(e["group"]) if e["group"] in GROUPS else len(GROUPS))
    return unique


def _input_entry(name: str = "Input") -> dict:
    group, help_, key, _ = LAYER_INFO["Input"]
    shape = dict(_param_spec("Input", "shape", inspect.Parameter.empty, {}), required=True)
    dtype = {"name": "dtype", "type": "choice", "default": "float32", "required": False, "min": None, "max": None,
             "choices": ["float32", "int32", "int64"], "help": "Type of the data: float32, or int32/int64 for "
                                                             "token ids fed to an Embedding."}
    return {"name": name, "group": group, "help": help_, "inputs": 0, "key_params": key, "params": [shape, dtype]}


def _entry(name: str, cls) -> dict:
    info = LAYER_INFO.get(name)
    if info is None:
        group, help_, key, overrides = layer_group(cls), _doc_line(cls), [], {}
    else:
        group, help_, key, overrides = info
    params = []
    for pname, param in _init_params(cls):
        params.append(_param_spec(name, pname, param.default, overrides.get(pname, {})))
    names = {p["name"] for p in params}
    if not key:
        key = [p["name"] for p in params if p["required"]][:2]
    return {"name": name, "group": group, "help": help_ or f"{name} layer.", "inputs": input_arity(cls),
            "key_params": [k for k in key if k in names], "params": params}


def _init_params(cls):
    """The parameters of ``cls.__init__`` minus hidden ones; with ``**kwargs``, also the base Layer's
    (``activity_regularizer``), which such layers pass up."""
    out = {}
    sources = [cls.__init__]
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        sources.append(LAYER_BASE.__init__)
    for init in sources:
        for pname, param in inspect.signature(init).parameters.items():
            if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or pname in out or pname == "self":
                continue
            if pname in _HIDDEN and param.default is not param.empty:
                continue
            out[pname] = param
    return list(out.items())


def _param_spec(layer: str, name: str, default, override: dict) -> dict:
    base = dict(PARAM_INFO.get(name) or _guess(name, default))
    base.update(override)
    required = default is inspect.Parameter.empty
    value = None if required else _jsonable(default)
    if "default" in base:  # a suggested value for a required parameter the form can't build (nested layers)
        value = base.pop("default")
    if base["type"] == "choice" and isinstance(base["choices"], str):
        base["choices"] = _choices(base["choices"])
    if base["type"] == "choice" and isinstance(value, str) and base["choices"] and value not in base["choices"]:
        base["choices"] = [value, *base["choices"]]
    return {"name": name, "type": base["type"], "default": value, "required": required, "min": base.get("min"),
            "max": base.get("max"), "choices": base.get("choices"),
            "help": base.get("help") or name.replace("_", " ").capitalize() + "."}


def _guess(name: str, default) -> dict:
    for suffix, kind, what in (("_initializer", INIT, "Initializer"), ("_regularizer", REG, "Penalty"),
                               ("_constraint", CONS, "Constraint")):
        if name.endswith(suffix):
            return _p("choice", f"{what} of the {name[: -len(suffix)].replace('_', ' ')} weights.", choices=kind)
    if name in _TUPLE_PARAMS or isinstance(default, (tuple, list)):
        return _p("int_or_tuple", "")
    if isinstance(default, bool):
        return _p("bool", "")
    if isinstance(default, int):
        return _p("int", "")
    if isinstance(default, float):
        return _p("float", "")
    return _p("string", "")


@functools.cache
def _choices_cached(kind: str) -> tuple[str, ...]:
    if kind == ACT:
        from engine import activations  # noqa: PLC0415

        names = [n for n in activations.ACTIVATIONS.names() if n != "linear"]
        return ("linear", *names)
    if kind == INIT:
        from engine import initializers  # noqa: PLC0415

        return tuple(snake_case(n) for n in initializers.INITIALIZERS.names())
    if kind == REG:
        from engine import regularizers  # noqa: PLC0415

        return tuple(snake_case(n) for n in regularizers.REGULARIZERS.names())
    if kind == CONS:
        from engine import constraints  # noqa: PLC0415

        return tuple(snake_case(n) for n in constraints.CONSTRAINTS.names())
    return ()


def _choices(kind: str) -> list[str]:
    return list(_choices_cached(kind))


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) else None


def _doc_line(cls) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
