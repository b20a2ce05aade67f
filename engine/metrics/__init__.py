"""Metrics (Keras 3 names and maths): stateful objects computed on raw xp arrays, never on the graph.

``get(id, loss=None, output_shape=None, target_shape=None)`` → a ``Metric`` with ``update_state(y_true,
y_pred, sample_weight=None)``, ``result() -> float``, ``reset_state()`` and ``.name`` — the key it gets in
the logs (``"accuracy"``, ``"acc"`` when the user wrote 'acc', ``"mse"`` when the user wrote 'mse'...).
State is accumulated on the arrays' device (float64 sums): ``update_state`` never reads a value back to the
host, only ``result()`` does (once per epoch in ``fit``), so a GPU never waits per batch.
"accuracy"/"acc" is resolved to binary / categorical / sparse categorical accuracy from the loss and shapes.

Files, one purpose each:

- ``inputs.py``: raw arrays out of Tensors, Keras' rank rule, sample weights broadcast to per-sample values.
- ``functions.py``: the per-sample functions (``accuracy``, ``mean_squared_error``, ...) and their short aliases.
- ``base.py``: ``Metric`` and the ``METRICS`` registry; ``reduction.py``: ``Mean``, ``Sum``,
  ``MeanMetricWrapper``; ``function_metrics.py``: the built-in classes made from the per-sample functions.
- ``confusion.py``: ``Precision``, ``Recall``, ``AUC``.
- ``lookup.py``: ``get``, ``resolve_accuracy``, ``serialize``.
"""

from engine.metrics.base import METRICS, Metric, register
from engine.metrics.confusion import AUC, Precision, Recall
from engine.metrics.function_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from engine.metrics.functions import (
    MAE,
    MAPE,
    MSE,
    MSLE,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from engine.metrics.inputs import EPSILON
from engine.metrics.lookup import get, resolve_accuracy, serialize
from engine.metrics.reduction import Mean, MeanMetricWrapper, Sum

__all__ = ["AUC", "EPSILON", "MAE", "MAPE", "METRICS", "MSE", "MSLE", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "Mean", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanMetricWrapper",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "Precision", "Recall", "RootMeanSquaredError",
           "SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Sum", "TopKCategoricalAccuracy", "accuracy",
           "binary_accuracy", "categorical_accuracy", "get", "mae", "mape", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error", "mse", "msle",
           "register", "resolve_accuracy", "serialize", "sparse_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy"]
