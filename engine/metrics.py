"""Metrics (Keras 3 names and maths): stateful objects computed on raw xp arrays, never on the graph.

``get(id, loss=None, output_shape=None, target_shape=None)`` → a ``Metric`` with ``update_state(y_true,
y_pred, sample_weight=None)``, ``result() -> float``, ``reset_state()`` and ``.name`` — the key it gets in
the logs (``"accuracy"``, ``"acc"`` when the user wrote 'acc', ``"mse"`` when the user wrote 'mse'...).
State is accumulated on the arrays' device (float64 sums): ``update_state`` never reads a value back to the
host, only ``result()`` does (once per epoch in ``fit``), so a GPU never waits per batch.
"accuracy"/"acc" is resolved to binary / categorical / sparse categorical accuracy from the loss and shapes.
"""

from __future__ import annotations

import numpy as np

from engine.autograd import Tensor
from engine.backend import floatx, to_cpu, xp_of
from engine.registry import Registry

METRICS = Registry("metric")
register = METRICS.register
EPSILON = 1e-7


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _arrays(y_true, y_pred):
    y_pred = _raw(y_pred)
    if not hasattr(y_pred, "dtype"):
        y_pred = np.asarray(y_pred, dtype=floatx())
    xp = xp_of(y_pred)
    y_true = xp.asarray(_raw(y_true))
    return xp, y_true, y_pred


def _same_rank(y_true, y_pred):
    """Keras' squeeze_or_expand_to_same_rank for metrics."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


# ---- per-sample metric functions (arrays in, arrays of shape (batch, ...) out)
def accuracy(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    return (y_true == (y_pred > threshold).astype(y_true.dtype)).astype(floatx())


def categorical_accuracy(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    return (xp.argmax(y_true, axis=-1) == xp.argmax(y_pred, axis=-1)).astype(floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return (y_true.astype(xp.int64) == xp.argmax(y_pred, axis=-1)).astype(floatx())


def _in_top_k(labels, y_pred, k):
    """True where fewer than k classes score strictly higher than the true class."""
    xp = xp_of(y_pred)
    labels = labels.astype(xp.int64).reshape(-1)
    flat = y_pred.reshape(-1, y_pred.shape[-1])
    score = xp.take_along_axis(flat, labels[:, None], axis=-1)
    return ((flat > score).sum(axis=-1) < k).reshape(y_pred.shape[:-1])


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    return _in_top_k(xp.argmax(y_true, axis=-1), y_pred, k).astype(floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return _in_top_k(y_true, y_pred, k).astype(floatx())


def _regression(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true.astype(y_pred.dtype), y_pred)
    return xp, y_true, y_pred


def mean_squared_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    d = y_pred - y_true
    return (d * d).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    return abs(y_pred - y_true).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    return 100.0 * abs((y_true - y_pred) / xp.maximum(abs(y_true), y_true.dtype.type(EPSILON))).mean(axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    eps = y_pred.dtype.type(EPSILON)
    d = xp.log(xp.maximum(y_pred, eps) + 1.0) - xp.log(xp.maximum(y_true, eps) + 1.0)
    return (d * d).mean(axis=-1)


# ---- metric objects
class Metric:
    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__.lower()
        self.dtype = dtype or floatx()
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def __call__(self, *args, **kwargs) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _weights_for(values, sample_weight):
    """Sample weights broadcast to per-sample ``values`` (Keras: extra value dims averaged per sample)."""
    xp = xp_of(values)
    if sample_weight is None:
        return None
    sw = xp.asarray(_raw(sample_weight), dtype=values.dtype)
    if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:
        sw = sw.reshape(sw.shape[:-1])
    while sw.ndim < values.ndim:
        sw = sw[..., None]
    return xp.broadcast_to(sw, values.shape)


@register
class Mean(Metric):
    """Weighted mean of the values it is given."""

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        values = _raw(values)
        xp = xp_of(values)
        values = xp.asarray(values, dtype=floatx())
        if values.ndim > 1:  # Keras reduces extra dims to one value per sample
            values = values.reshape(values.shape[0], -1).mean(axis=-1)
        sw = _weights_for(values, sample_weight)
        if sw is None:  # device scalars: no host sync per batch
            self.total = self.total + values.sum(dtype="float64")
            self.count = self.count + float(values.size)
        else:
            self.total = self.total + (values * sw).sum(dtype="float64")
            self.count = self.count + sw.sum(dtype="float64")

    def result(self):
        count = float(self.count)
        return float(self.total) / count if count else 0.0


@register
class Sum(Metric):
    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = xp_of(_raw(values)).asarray(_raw(values), dtype=floatx())
        sw = _weights_for(values, sample_weight)
        self.total = self.total + (values.sum(dtype="float64") if sw is None else (values * sw).sum(dtype="float64"))

    def result(self):
        return float(self.total)


class MeanMetricWrapper(Mean):
    """A per-sample function averaged over all samples seen (weighted)."""

    fn = None

    def __init__(self, fn=None, name=None, dtype=None, **kwargs):
        if fn is not None:
            self.fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or getattr(self.fn, "__name__", "metric"), dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper_class(class_name, fn, default_name, params=(), aliases=()):
    names = [p for p, _ in params]

    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        values = dict(params)
        values.update(zip(names, args))
        unknown = set(kwargs) - set(names)
        if unknown:
            raise TypeError(f"{class_name}.__init__() received unknown keyword arguments: {sorted(unknown)}.")
        values.update(kwargs)
        MeanMetricWrapper.__init__(self, None, name=name, dtype=dtype, **values)

    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "fn": staticmethod(fn),
                                                  "__module__": __name__})
    register(cls, aliases=aliases)
    return cls


Accuracy = _wrapper_class("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy", (("threshold", 0.5),),
                                aliases=("binary_accuracy",))
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy",
                                     aliases=("categorical_accuracy",))
SparseCategoricalAccuracy = _wrapper_class("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                           "sparse_categorical_accuracy", aliases=("sparse_categorical_accuracy",))
TopKCategoricalAccuracy = _wrapper_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                         "top_k_categorical_accuracy", (("k", 5),),
                                         aliases=("top_k_categorical_accuracy", "top_k"))
SparseTopKCategoricalAccuracy = _wrapper_class("SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
                                               "sparse_top_k_categorical_accuracy", (("k", 5),),
                                               aliases=("sparse_top_k_categorical_accuracy", "sparse_top_k"))
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error",
                                  aliases=("mse", "mean_squared_error"))
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                                   aliases=("mae", "mean_absolute_error"))
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                             "mean_absolute_percentage_error",
                                             aliases=("mape", "mean_absolute_percentage_error"))
MeanSquaredLogarithmicError = _wrapper_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                             "mean_squared_logarithmic_error",
                                             aliases=("msle", "mean_squared_logarithmic_error"))


@register(aliases=("rmse",))
class RootMeanSquaredError(MeanMetricWrapper):
    fn = staticmethod(mean_squared_error)

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(None, name=name, dtype=dtype)

    def result(self):
        return float(np.sqrt(super().result()))


# ---- confusion-matrix metrics
def _binary_inputs(y_true, y_pred, sample_weight, class_id=None):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    sw = None
    if sample_weight is not None:
        sw = xp.asarray(_raw(sample_weight), dtype=floatx())
        if sw.ndim == y_pred.ndim + 1 and sw.shape[-1] == 1:
            sw = sw.reshape(sw.shape[:-1])
        while sw.ndim < y_pred.ndim:
            sw = sw[..., None]
        sw = xp.broadcast_to(sw, y_pred.shape).reshape(-1)
    return xp, y_true.reshape(-1).astype(bool), y_pred.reshape(-1).astype(floatx()), sw


class _PrecisionRecall(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.init_thresholds = thresholds
        super().__init__(name=name, dtype=dtype)

    def _threshold_list(self):
        if self.thresholds is None:
            return [0.5] if self.top_k is None else [float("-inf")]
        return list(self.thresholds) if isinstance(self.thresholds, (list, tuple)) else [self.thresholds]

    def reset_state(self):
        self._counts = np.zeros((3, len(self._threshold_list())))  # tp, fp, fn per threshold (device once updated)

    tp = property(lambda self: to_cpu(self._counts)[0])
    fp = property(lambda self: to_cpu(self._counts)[1])
    fn = property(lambda self: to_cpu(self._counts)[2])

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp, y_true_a, y_pred_a = _arrays(y_true, y_pred)
        if self.top_k is not None:  # only the top k scores of each sample may count as positive
            flat = y_pred_a.reshape(-1, y_pred_a.shape[-1])
            kth = -xp.sort(-flat, axis=-1)[:, self.top_k - 1: self.top_k]
            y_pred_a = xp.where(flat >= kth, flat, -xp.inf).reshape(y_pred_a.shape)
        xp, t, p, sw = _binary_inputs(y_true_a, y_pred_a, sample_weight, self.class_id)
        w = sw if sw is not None else xp.ones(p.shape, dtype=floatx())
        thr = xp.asarray(self._threshold_list(), dtype=p.dtype)[:, None]
        pred = p[None, :] > thr  # (thresholds, samples)
        counts = xp.stack([(w * (pred & t)).sum(axis=-1, dtype="float64"),
                           (w * (pred & ~t)).sum(axis=-1, dtype="float64"),
                           (w * (~pred & t)).sum(axis=-1, dtype="float64")])
        self._counts = counts + (xp.asarray(self._counts) if xp_of(self._counts) is not xp else self._counts)

    def _out(self, values):
        return float(values[0]) if len(values) == 1 and not isinstance(self.thresholds, (list, tuple)) \
            else [float(v) for v in values]

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


def _div(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b != 0)


@register
class Precision(_PrecisionRecall):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._out(_div(self.tp, self.tp + self.fp))


@register
class Recall(_PrecisionRecall):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._out(_div(self.tp, self.tp + self.fn))


@register(name="AUC", aliases=("auc",))
class AUC(Metric):
    """Area under the ROC or PR curve from confusion matrices at ``num_thresholds`` thresholds (Keras' method)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name="auc", dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if num_thresholds <= 1 and thresholds is None:
            raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                             f"Received: num_thresholds={num_thresholds}")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: ["ROC", "PR"]')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid `summation_method` argument value "{summation_method}". '
                             'Expected one of: ["interpolation", "minoring", "majoring"]')
        if multi_label:
            raise NotImplementedError("AUC(multi_label=True) is not supported by this engine yet.")
        self.curve, self.summation_method = curve.upper(), summation_method
        self.from_logits, self.multi_label, self.label_weights, self.num_labels = from_logits, multi_label, \
            label_weights, num_labels
        self._init_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = np.array([0.0 - EPSILON] + inner + [1.0 + EPSILON])
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self._pos = self._neg = None  # weight of positives / negatives per threshold bucket, on the device

    def _confusion(self):
        """(tp, fp, tn, fn) per threshold, as host float64 arrays."""
        n = self.num_thresholds + 1
        pos = np.zeros(n) if self._pos is None else to_cpu(self._pos).astype(float)
        neg = np.zeros(n) if self._neg is None else to_cpu(self._neg).astype(float)
        above_pos = np.cumsum(pos[::-1])[::-1][1:]  # above_pos[j] = weight of positives with bucket > j
        above_neg = np.cumsum(neg[::-1])[::-1][1:]
        return above_pos, above_neg, neg.sum() - above_neg, pos.sum() - above_pos

    tp = property(lambda self: self._confusion()[0])
    fp = property(lambda self: self._confusion()[1])
    tn = property(lambda self: self._confusion()[2])
    fn = property(lambda self: self._confusion()[3])

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp, t, p, sw = _binary_inputs(y_true, y_pred, sample_weight)
        if self.from_logits:
            p = 1.0 / (1.0 + xp.exp(-p))
        w = sw if sw is not None else xp.ones(p.shape, dtype=floatx())
        # bucket = number of thresholds strictly below the prediction: pred > thr_j  ⇔  j < bucket
        thr = xp.asarray(self.thresholds, dtype=p.dtype)
        bucket = xp.searchsorted(thr, p, side="left")
        n = self.num_thresholds + 1
        pos = xp.bincount(bucket, weights=w * t, minlength=n).astype("float64")
        neg = xp.bincount(bucket, weights=w * ~t, minlength=n).astype("float64")
        self._pos = pos if self._pos is None else self._pos + pos
        self._neg = neg if self._neg is None else self._neg + neg

    def result(self):
        tp, fp, tn, fn = self._confusion()
        T = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp = tp[:T - 1] - tp[1:]
            p = tp + fp
            dp = p[:T - 1] - p[1:]
            slope = _div(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * p[1:]
            both = (p[:T - 1] > 0) & (p[1:] > 0)
            ratio = np.where(both, _div(p[:T - 1], np.maximum(p[1:], 0)), 1.0)
            inc = _div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
            return float(inc.sum())
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        else:
            x, y = recall, _div(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:T - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:T - 1], y[1:])
        else:
            heights = np.maximum(y[:T - 1], y[1:])
        return float(((x[:T - 1] - x[1:]) * heights).sum())

    def get_config(self):
        cfg = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
               "summation_method": self.summation_method, "multi_label": self.multi_label,
               "num_labels": self.num_labels, "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_thresholds:
            cfg["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return cfg


# ---- resolution
_BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}


def _loss_name(loss) -> str | None:
    if loss is None:
        return None
    from engine import losses  # noqa: PLC0415 - metrics does not need losses otherwise

    try:
        return losses.canonical_name(loss)
    except (ValueError, TypeError):
        return None


def resolve_accuracy(name="accuracy", loss=None, output_shape=None, target_shape=None) -> Metric:
    """Keras' choice for "accuracy"/"acc": from the loss when it says (binary / sparse / categorical CE),
    otherwise from the shapes: one output unit → binary; integer targets (one fewer axis, or last axis 1)
    → sparse; else categorical. The metric keeps the name the user wrote."""
    loss_name = _loss_name(loss)
    if loss_name in _BINARY_LOSSES:
        return BinaryAccuracy(name=name)
    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=name)
    if loss_name == "categorical_crossentropy":
        return CategoricalAccuracy(name=name)
    out = tuple(output_shape) if output_shape is not None else None
    if out is not None and out[-1] == 1:
        return BinaryAccuracy(name=name)
    if out is not None and target_shape is not None:
        tgt = tuple(target_shape)
        if len(tgt) == len(out) - 1 or (len(tgt) == len(out) and tgt[-1] == 1):
            return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def get(identifier, loss=None, output_shape=None, target_shape=None) -> Metric:
    """A metric name as written in ``compile(metrics=[...])``, a config dict, a Metric, a class or a function
    → a fresh Metric whose ``name`` is the log key Keras uses."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return resolve_accuracy(identifier, loss, output_shape, target_shape)
        try:
            cls = METRICS.lookup(identifier)
        except ValueError:
            from engine import losses  # noqa: PLC0415 - a loss name used as a metric ("binary_crossentropy")

            try:
                loss_obj = losses.get(identifier)
            except ValueError:
                raise ValueError(f"Unknown metric: {identifier!r}. Expected one of: "
                                 f"{', '.join(sorted(METRICS.names()))}, or a loss name.") from None
            return MeanMetricWrapper(lambda t, p, _l=loss_obj: _l.call(t, p).data, name=identifier)
        if isinstance(cls, type) and issubclass(cls, MeanMetricWrapper) and identifier != cls.__name__ \
                and identifier not in (cls.__name__.lower(),):
            return cls(name=identifier)  # 'mse' logs as "mse", 'mean_squared_error' as "mean_squared_error"
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return METRICS.lookup(identifier["class_name"]).from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", "metric"))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric) -> dict:
    name = METRICS.canonical_name(metric)
    if name is None:
        raise ValueError(f"Cannot serialize a custom metric: {metric!r}")
    return {"module": "keras.metrics", "class_name": name, "config": metric.get_config(), "registered_name": None}


# Keras' short function aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
