"""The built-in metric classes made from the per-sample functions of ``functions.py`` (accuracies, regression
errors), each registered under its Keras name and aliases ('mse', 'top_k', ...)."""

from __future__ import annotations

import numpy as np

from engine.metrics.base import register
from engine.metrics.functions import (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from engine.metrics.reduction import MeanMetricWrapper, _wrapper_class

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
