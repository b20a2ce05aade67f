"""engine.metrics.reduction: weighted means and the float results."""

import numpy as np
import pytest

from engine import metrics


def test_sample_weights():
    m = metrics.get("sparse_categorical_accuracy")
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.1, 0.9]])
    m.update_state(np.array([0, 1, 1]), p, sample_weight=np.array([1.0, 3.0, 0.0]))
    assert m.result() == pytest.approx(1 / 4)
    mean = metrics.Mean()
    mean.update_state(np.array([1.0, 2.0, 3.0]), sample_weight=np.array([0.0, 1.0, 3.0]))
    assert mean.result() == pytest.approx((2 + 9) / 4)


def test_results_are_python_floats_from_float32():
    m = metrics.get("accuracy", loss="categorical_crossentropy")
    m.update_state(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32))
    assert type(m.result()) is float and m.result() == 1.0
