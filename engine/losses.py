"""Losses (Keras 3 names, arguments and maths).

``get(id)`` → a ``Loss`` object; ``loss(y_true, y_pred, sample_weight=None)`` → scalar Tensor. ``y_true``
is an array (or a Tensor, used without gradient), ``y_pred`` a Tensor. The module-level functions
(``mean_squared_error(y_true, y_pred)`` ...) return the per-sample loss, as Keras' do.
"""

from __future__ import annotations

import math

import numpy as np

from engine.autograd import Tensor
from engine.backend import floatx, xp_of
from engine.ops import activation as A
from engine.ops import loss as L
from engine.ops import math as M
from engine.registry import Registry

EPSILON = 1e-7
LOSSES = Registry("loss")
REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight", "auto")


# ---- helpers
def _pred(y_pred) -> Tensor:
    if isinstance(y_pred, Tensor):
        return y_pred
    arr = y_pred if hasattr(y_pred, "dtype") else np.asarray(y_pred)
    if arr.dtype.kind != "f":
        arr = arr.astype(floatx())
    return Tensor(arr)


def _true(y_true, y_pred: Tensor, dtype=None):
    """y_true as a raw array on y_pred's device, cast to y_pred's dtype (or ``dtype``)."""
    if isinstance(y_true, Tensor):
        y_true = y_true.data
    xp = xp_of(y_pred.data)
    return xp.asarray(y_true, dtype=dtype or y_pred.dtype)


def _same_rank(y_true, y_pred: Tensor):
    """Keras' squeeze_or_expand_to_same_rank: (b,) vs (b, 1) → both rank 2."""
    t, p = y_true.ndim, y_pred.ndim
    if t == p + 1 and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    elif p == t + 1 and y_pred.shape[-1] == 1:
        if t == 1:
            y_true = y_true.reshape(*y_true.shape, 1)
        else:
            y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


def _c(value, like: Tensor) -> Tensor:
    """A constant of ``like``'s dtype and device (no float64 creep)."""
    return Tensor(xp_of(like.data).asarray(value, dtype=like.dtype))


def _prepare(y_true, y_pred):
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    try:
        np.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
    except ValueError:
        raise ValueError("Arguments `y_true` and `y_pred` must have compatible shapes. Received: "
                         f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}") from None
    return y_true, y_pred


# ---- per-sample loss functions (Keras functional API)
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return L.mean_squared_error(y_pred, y_true)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_pred - y_true).abs().mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    xp = xp_of(y_true)
    denom = xp.maximum(abs(y_true), y_true.dtype.type(EPSILON))
    return ((y_pred - y_true) / denom).abs().mean(axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    xp = xp_of(y_true)
    second = xp.log(xp.maximum(y_true, y_true.dtype.type(EPSILON)) + 1.0)
    d = (M.maximum(y_pred, _c(EPSILON, y_pred)) + 1.0).log() - second
    return (d * d).mean(axis=-1)


def _smooth(y_true, label_smoothing, num_classes):
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _smooth(y_true, label_smoothing, 2.0)
    per = L.sigmoid_binary_cross_entropy(y_pred, y_true) if from_logits else L.binary_cross_entropy_prob(y_pred, y_true)
    return per.mean(axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. "
                         f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}")
    y_true = _smooth(y_true, label_smoothing, y_pred.shape[axis])
    if from_logits:
        return L.softmax_cross_entropy(y_pred, y_true, axis=axis)
    return L.categorical_cross_entropy_prob(y_pred, y_true, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    y_pred = _pred(y_pred)
    labels = y_true.data if isinstance(y_true, Tensor) else y_true
    xp = xp_of(y_pred.data)
    labels = xp.asarray(labels)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the last dimension: "
                         f"target.shape={tuple(labels.shape)}, output.shape={tuple(y_pred.shape)}")
    labels = labels.astype(xp.int64, copy=False)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = xp.where(valid, labels, 0)
    n = y_pred.shape[-1]
    if xp is np and labels.size and (int(labels.min()) < 0 or int(labels.max()) >= n):  # no GPU sync per batch
        raise ValueError(f"Received a label value outside the valid range [0, {n}): labels range from "
                         f"{int(labels.min())} to {int(labels.max())}. Expected integer class ids for "
                         f"sparse_categorical_crossentropy with {n} classes.")
    out = L.sparse_softmax_cross_entropy(y_pred, labels) if from_logits \
        else L.sparse_categorical_cross_entropy_prob(y_pred, labels)
    if valid is not None:
        out = out * Tensor(valid.astype(y_pred.dtype))
        out._keras_mask = valid  # the reduction averages over the valid entries only, as Keras does
    return out


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    err = y_pred - y_true
    xp = xp_of(y_true)
    small = xp.abs(err.data) <= delta
    quad = err * err * 0.5
    lin = err.abs() * float(delta) - 0.5 * float(delta) ** 2
    return M.where(small, quad, lin).mean(axis=-1)


def _hinge_labels(y_true):
    xp = xp_of(y_true)
    if bool(xp.all((y_true == 0) | (y_true == 1))):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    margin = 1.0 - y_pred * _hinge_labels(y_true)
    return M.maximum(margin, _c(0.0, y_pred)).mean(axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    m = M.maximum(1.0 - y_pred * _hinge_labels(y_true), _c(0.0, y_pred))
    return (m * m).mean(axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = (y_pred * y_true).sum(axis=-1)
    z = y_pred * (1.0 - y_true)
    xp = xp_of(z.data)
    first_max = xp.argmax(z.data, axis=-1)[..., None] == xp.arange(z.shape[-1])  # gradient to one argmax
    neg = (z * Tensor(first_max.astype(z.dtype))).sum(axis=-1)
    return M.maximum(neg - pos + 1.0, _c(0.0, y_pred))


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    xp = xp_of(y_true)
    t = xp.clip(y_true, EPSILON, 1.0)
    p = M.clip(y_pred, EPSILON, 1.0)
    return ((p.log() * -1.0 + xp.log(t)) * t).sum(axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return (x + A.softplus(x * -2.0) - math.log(2.0)).mean(axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_pred - (y_pred + EPSILON).log() * y_true).mean(axis=-1)


def _l2_normalize_array(x, axis):
    xp = xp_of(x)
    return x / xp.maximum(xp.sqrt((x * x).sum(axis=axis, keepdims=True)), x.dtype.type(EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    t = _l2_normalize_array(y_true, axis)
    norm = M.maximum((y_pred * y_pred).sum(axis=axis, keepdims=True).sqrt(), _c(EPSILON, y_pred))
    return ((y_pred / norm) * t).sum(axis=axis) * -1.0


# ---- Loss objects
class Loss:
    """Keras 3 Loss: ``call`` gives per-sample values; ``__call__`` weights and reduces them."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
                             f"Received: reduction={reduction!r}")
        self.name = name or type(self).__name__
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        values = self.call(y_true, _pred(y_pred))
        mask = getattr(values, "_keras_mask", None)
        if mask is not None:  # Keras' apply_mask: masked entries weigh 0, the others total / valid
            xp = xp_of(values.data)
            mask = mask.astype(values.dtype)
            if self.reduction in ("mean", "sum_over_batch_size"):
                mask = mask * (mask.size / (float(mask.sum()) + EPSILON))
            if sample_weight is not None:
                sw = xp.asarray(_raw_weights(sample_weight), dtype=values.dtype)
                while sw.ndim < mask.ndim:
                    sw = sw[..., None]
                mask = mask * sw
            sample_weight = mask
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _raw_weights(sample_weight):
    return sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight


def reduce_weighted_values(values: Tensor, sample_weight=None, reduction="sum_over_batch_size") -> Tensor:
    if sample_weight is not None:
        sw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
        sw = xp_of(values.data).asarray(sw, dtype=values.dtype)
        if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:
            sw = sw.reshape(sw.shape[:-1])
        while sw.ndim < values.ndim:
            sw = sw[..., None]
        try:
            np.broadcast_shapes(tuple(sw.shape), tuple(values.shape))
        except ValueError:
            raise ValueError(f"`sample_weight` of shape {tuple(sw.shape)} does not match the per-sample losses of "
                             f"shape {tuple(values.shape)}. Expected one weight per sample.") from None
        values = values * Tensor(sw)
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        xp = xp_of(values.data)
        denom = float(xp.broadcast_to(sw, values.shape).sum())
        return total * (1.0 / max(denom, EPSILON))
    return total * (1.0 / max(values.size, 1))


class LossFunctionWrapper(Loss):
    """A per-sample function plus its keyword arguments (how every built-in class below is made)."""

    fn = None

    def __init__(self, fn=None, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if fn is not None:
            self.fn = fn
        super().__init__(name=name or getattr(self.fn, "__name__", "loss"), reduction=reduction, dtype=dtype)
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _loss_class(class_name, fn, default_name, params=(), aliases=()):
    """Make a Keras loss class: ``ClassName(*params, reduction=..., name=default_name)``."""
    names = [p for p, _ in params]
    defaults = dict(params)

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None, **kwargs):
        kwargs.pop("fn", None)  # Keras 2 configs name the function too
        if reduction == "auto":  # Keras 2's default, the same reduction
            reduction = "sum_over_batch_size"
        if len(args) > len(names):
            raise TypeError(f"{class_name}() takes at most {len(names)} positional arguments")
        values = dict(defaults)
        values.update(zip(names, args))
        unknown = set(kwargs) - set(names)
        if unknown:
            raise TypeError(f"{class_name}.__init__() received unknown keyword arguments: {sorted(unknown)}. "
                            f"Expected: {names + ['reduction', 'name', 'dtype']}")
        values.update(kwargs)
        LossFunctionWrapper.__init__(self, None, reduction=reduction, name=name, dtype=dtype, **values)

    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "fn": staticmethod(fn),
                                                    "__module__": __name__,
                                                    "__doc__": f"Keras' {class_name} ({fn.__name__})."})
    LOSSES.register(cls, aliases=(fn.__name__, *aliases))
    cls.function_name = fn.__name__
    return cls


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error", aliases=("mse",))
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error", aliases=("mae",))
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error", aliases=("mape",))
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                          "mean_squared_logarithmic_error", aliases=("msle",))
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                                 (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)))
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      "categorical_crossentropy",
                                      (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)))
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy",
                                            (("from_logits", False), ("ignore_class", None)))
Huber = _loss_class("Huber", huber, "huber_loss", (("delta", 1.0),), aliases=("huber_loss",))
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence",
                           aliases=("kld", "kullback_leibler_divergence"))
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh", aliases=("logcosh",))
Poisson = _loss_class("Poisson", poisson, "poisson")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity", (("axis", -1),))

# Keras' short function aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


def get(identifier) -> Loss | None:
    """None → None; a name/alias ("mse", "categorical_crossentropy", "CategoricalCrossentropy"), a config
    dict or a Loss → a Loss object; another callable ``fn(y_true, y_pred)`` is wrapped."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return LOSSES.lookup(identifier)()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return LOSSES.lookup(identifier["class_name"]).from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        for _, cls in LOSSES.items():
            if getattr(cls, "fn", None) is identifier:
                return cls()
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", "loss"))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def canonical_name(identifier) -> str | None:
    """The full Keras function name of a loss ("mse" → "mean_squared_error"), as `training_config` needs."""
    loss = get(identifier)
    return getattr(type(loss), "function_name", None) if loss is not None else None


def serialize(loss) -> dict | None:
    if loss is None:
        return None
    loss = get(loss)
    name = LOSSES.canonical_name(loss)
    if name is None:
        raise ValueError(f"Cannot serialize a custom loss: {loss!r}")
    return {"module": "keras.losses", "class_name": name, "config": loss.get_config(), "registered_name": None}


def deserialize(config):
    return get(config)


def logits_equivalent(loss, activation: str | None) -> Loss | None:
    """For a model whose last activation is softmax/sigmoid: the from_logits loss to train on the pre-activation
    values instead (fused, stable and one pass cheaper), or None when no such fusion applies."""
    loss = get(loss)
    cfg = loss.get_config() if loss is not None else {}
    if not loss or cfg.get("from_logits", True):
        return None
    cfg = {**cfg, "from_logits": True}
    if activation == "softmax" and isinstance(loss, (CategoricalCrossentropy, SparseCategoricalCrossentropy)):
        if cfg.get("axis", -1) != -1:
            return None
        return type(loss).from_config(cfg)
    if activation == "sigmoid" and isinstance(loss, BinaryCrossentropy):
        return BinaryCrossentropy.from_config(cfg)
    return None
