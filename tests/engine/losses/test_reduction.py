"""engine.losses.reduction: sample weights, the reductions, and ignore_class masks."""

import math

import numpy as np
import pytest

from engine import losses
from engine.autograd import Tensor

from .cases import value


def test_sample_weight_and_reductions():
    y, p = np.array([[0.0], [0.0], [0.0]]), np.array([[1.0], [2.0], [3.0]])  # per-sample mse 1, 4, 9
    sw = np.array([1.0, 0.5, 0.0])
    assert value("mse", y, p) == pytest.approx(14 / 3)
    assert value("mse", y, p, sample_weight=sw) == pytest.approx((1 + 2) / 3)  # Keras divides by batch size
    assert value("mse", y, p, sample_weight=sw[:, None]) == pytest.approx(1.0)
    assert float(losses.MeanSquaredError(reduction="sum")(y, Tensor(p)).data) == pytest.approx(14)
    none = losses.MeanSquaredError(reduction=None)(y, Tensor(p), sample_weight=sw)
    np.testing.assert_allclose(none.data, [1.0, 2.0, 0.0])
    assert float(losses.MeanSquaredError(reduction="mean_with_sample_weight")(y, Tensor(p), sample_weight=sw).data) \
        == pytest.approx(3 / 1.5)


def test_sparse_ignore_class_averages_over_valid_entries():
    p = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    got = float(loss(np.array([1, -1, 2]), Tensor(p)).data)
    assert got == pytest.approx((-math.log(0.5) - math.log(0.8)) / 2, rel=1e-6)
    t = Tensor(p, requires_grad=True)
    loss(np.array([1, -1, 2]), t).backward()
    np.testing.assert_array_equal(t.grad[1], [0.0, 0.0, 0.0])


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_ignore_class_takes_sample_weights_of_shape_batch_by_one(reduction):
    """(batch, 1) weights count as one weight per sample with a mask too, as without one (they used to broadcast
    against the (batch,) mask into a (batch, batch) matrix)."""
    p = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=reduction)
    sw = np.array([2.0, 5.0, 0.5])
    flat = loss(np.array([1, -1, 2]), Tensor(p), sample_weight=sw).data
    column = loss(np.array([1, -1, 2]), Tensor(p), sample_weight=sw[:, None]).data
    assert np.shape(column) == np.shape(flat) == ((3,) if reduction is None else ())
    np.testing.assert_allclose(column, flat)
    if reduction == "sum":
        assert float(flat) == pytest.approx(-2.0 * math.log(0.5) - 0.5 * math.log(0.8))
