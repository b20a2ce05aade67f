"""Losses (Keras 3 names, arguments and maths).

``get(id)`` → a ``Loss`` object; ``loss(y_true, y_pred, sample_weight=None)`` → scalar Tensor. ``y_true``
is an array (or a Tensor, used without gradient), ``y_pred`` a Tensor. The module-level functions
(``mean_squared_error(y_true, y_pred)`` ...) return the per-sample loss, as Keras' do.

Files, one purpose each:

- ``inputs.py``: ``y_pred`` as a Tensor, ``y_true`` as an array of its dtype and device, Keras' rank rule.
- ``functions.py``: the per-sample functions (``mean_squared_error``, ``categorical_crossentropy``, ...) and
  their short aliases.
- ``reduction.py``: sample weights, ``ignore_class`` masks and the reductions (``reduce_weighted_values``).
- ``base.py``: ``Loss`` and the ``LOSSES`` registry; ``function_losses.py``: ``LossFunctionWrapper`` and the
  built-in classes made from the functions.
- ``lookup.py``: ``get``, ``canonical_name``, ``serialize``, ``deserialize``; ``fusion.py``: ``logits_equivalent``.
"""

from engine.losses.base import LOSSES, Loss
from engine.losses.function_losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from engine.losses.functions import (
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    kld,
    kullback_leibler_divergence,
    log_cosh,
    logcosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from engine.losses.fusion import logits_equivalent
from engine.losses.inputs import EPSILON
from engine.losses.lookup import canonical_name, deserialize, get, serialize
from engine.losses.reduction import REDUCTIONS, reduce_weighted_values

__all__ = ["EPSILON", "KLD", "LOSSES", "MAE", "MAPE", "MSE", "MSLE", "REDUCTIONS", "BinaryCrossentropy",
           "CategoricalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber", "KLDivergence",
           "LogCosh", "Loss", "LossFunctionWrapper", "MeanAbsoluteError", "MeanAbsolutePercentageError",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy",
           "SquaredHinge", "binary_crossentropy", "canonical_name", "categorical_crossentropy", "categorical_hinge",
           "cosine_similarity", "deserialize", "get", "hinge", "huber", "kl_divergence", "kld",
           "kullback_leibler_divergence", "log_cosh", "logcosh", "logits_equivalent", "mae", "mape",
           "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
           "mean_squared_logarithmic_error", "mse", "msle", "poisson", "reduce_weighted_values", "serialize",
           "sparse_categorical_crossentropy", "squared_hinge"]
