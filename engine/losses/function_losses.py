"""``LossFunctionWrapper`` (a per-sample function plus its keyword arguments) and the built-in Keras loss classes
made from the functions of ``functions.py``, each registered under its class name, function name and aliases."""

from __future__ import annotations

from engine.losses.base import LOSSES, Loss
from engine.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)


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
                                                    "__module__": "engine.losses",  # the public home of these classes
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
