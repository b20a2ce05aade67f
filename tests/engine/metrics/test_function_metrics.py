"""engine.metrics.function_metrics: the accuracy and regression classes, by hand."""

import math

import numpy as np
import pytest

from engine import metrics
from engine.autograd import Tensor


def test_binary_accuracy_by_hand():
    m = metrics.get("binary_accuracy")
    m.update_state(np.array([[1], [0], [1], [0]]), np.array([[0.7], [0.6], [0.4], [0.1]]))
    assert m.result() == pytest.approx(0.5)
    m.update_state(np.array([1.0, 1.0]), np.array([[0.9], [0.8]]))  # y (b,) vs p (b, 1)
    assert m.result() == pytest.approx(4 / 6)
    m.reset_state()
    assert m.result() == 0.0
    assert metrics.BinaryAccuracy(threshold=0.65)(np.array([[1], [1]]), np.array([[0.7], [0.6]])) == 0.5


def test_categorical_and_sparse_accuracy_by_hand():
    p = np.array([[0.1, 0.8, 0.1], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    assert metrics.get("categorical_accuracy")(np.eye(3)[[1, 1, 2]], p) == pytest.approx(2 / 3)
    assert metrics.get("sparse_categorical_accuracy")(np.array([1, 0, 0]), p) == pytest.approx(2 / 3)
    assert metrics.get("sparse_categorical_accuracy")(np.array([[1], [0], [0]]), Tensor(p)) == pytest.approx(2 / 3)


def test_top_k_by_hand():
    p = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]])
    assert metrics.TopKCategoricalAccuracy(k=2)(np.eye(4)[[2, 2]], p) == pytest.approx(0.5)
    assert metrics.SparseTopKCategoricalAccuracy(k=3)(np.array([1, 3]), p) == pytest.approx(0.5)
    assert metrics.get("top_k_categorical_accuracy")(np.eye(4)[[0, 3]], p) == 1.0  # k=5 ≥ classes


def test_regression_metrics_by_hand():
    y, p = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[2.0, 2.0], [1.0, 4.0]])
    assert metrics.get("mse")(y, p) == pytest.approx((0.5 + 2.0) / 2)
    assert metrics.get("mae")(y, p) == pytest.approx((0.5 + 1.0) / 2)
    assert metrics.get("rmse")(y, p) == pytest.approx(math.sqrt(1.25))
    assert metrics.get("mape")(y, p) == pytest.approx(100 * (0.5 + 1 / 3) / 2)
    msle = ((math.log(3) - math.log(2)) ** 2 / 2 + (math.log(2) - math.log(4)) ** 2 / 2) / 2
    assert metrics.get("msle")(y, p) == pytest.approx(msle)
