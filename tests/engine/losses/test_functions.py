"""engine.losses.functions: values by hand (each number from the Keras formula), gradients (float64 central
differences), float32 in → float32 out."""

import math

import numpy as np
import pytest

from engine import losses
from engine.autograd import Tensor
from engine.ops import loss as L
from engine.ops.gradcheck import check_grad

from .cases import EPS, PG, YG, ZG, P, Y, value


def test_mse_mae_by_hand():
    # per sample: mean((.5, -.75)^2) = (0.25 + 0.5625)/2 = 0.40625 ; mean((-1, 2)^2) = 2.5
    assert value("mse", Y, P) == pytest.approx((0.40625 + 2.5) / 2)
    # mae: (0.5 + 0.75)/2 = 0.625 ; (1 + 2)/2 = 1.5
    assert value("mae", Y, P) == pytest.approx((0.625 + 1.5) / 2)


def test_mape_msle_by_hand():
    y, p = np.array([[2.0, 4.0]]), np.array([[1.0, 5.0]])
    assert value("mape", y, p) == pytest.approx(100 * (0.5 + 0.25) / 2)
    msle = ((math.log(2) - math.log(3)) ** 2 + (math.log(6) - math.log(5)) ** 2) / 2
    assert value("msle", y, p) == pytest.approx(msle)
    # mape with y_true 0 divides by epsilon
    assert value("mape", np.array([[0.0]]), np.array([[1e-8]])) == pytest.approx(100 * 1e-8 / EPS)


def test_huber_by_hand():
    y, p = np.array([[0.0, 0.0]]), np.array([[0.5, 3.0]])
    assert value("huber", y, p) == pytest.approx((0.5 * 0.25 + (3.0 - 0.5)) / 2)
    assert float(losses.Huber(delta=2.0)(y, Tensor(p)).data) == pytest.approx((0.125 + (2 * 3 - 2)) / 2)


def test_hinge_family_by_hand():
    y, p = np.array([[0.0, 1.0]]), np.array([[0.3, 0.2]])  # labels 0/1 → -1/+1
    assert value("hinge", y, p) == pytest.approx((1.3 + 0.8) / 2)
    assert value("squared_hinge", y, p) == pytest.approx((1.3**2 + 0.8**2) / 2)
    # categorical hinge: pos = 0.2, neg = 0.3 → max(0.3 - 0.2 + 1, 0) = 1.1
    assert value("categorical_hinge", y, p) == pytest.approx(1.1)


def test_kld_logcosh_poisson_cosine_by_hand():
    y, p = np.array([[0.25, 0.75]]), np.array([[0.5, 0.5]])
    assert value("kld", y, p) == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert value("logcosh", y, p) == pytest.approx((math.log(math.cosh(0.25)) * 2) / 2)
    poisson = ((0.5 - 0.25 * math.log(0.5 + EPS)) + (0.5 - 0.75 * math.log(0.5 + EPS))) / 2
    assert value("poisson", y, p) == pytest.approx(poisson)
    cos = (0.25 * 0.5 + 0.75 * 0.5) / (math.hypot(0.25, 0.75) * math.hypot(0.5, 0.5))
    assert value("cosine_similarity", y, p) == pytest.approx(-cos)


def test_categorical_crossentropy_by_hand():
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = np.array([[0.2, 0.5, 0.3], [0.0, 0.5, 0.5]])  # second row: p=0 for the true class → clipped to 1e-7
    expected = (-math.log(0.5) - math.log(EPS)) / 2
    assert value("categorical_crossentropy", y, p) == pytest.approx(expected)
    # un-normalised probabilities are normalised first, as Keras does
    assert value("categorical_crossentropy", y[:1], p[:1] * 2) == pytest.approx(-math.log(0.5))
    logits = np.array([[1.0, 2.0, 3.0]])
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    got = float(losses.CategoricalCrossentropy(from_logits=True)(y[:1], Tensor(logits)).data)
    assert got == pytest.approx(lse - 2.0)
    # label smoothing 0.3 over 3 classes: y = (0.1, 0.8, 0.1)
    got = float(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.3)(y[:1], Tensor(logits)).data)
    assert got == pytest.approx(lse - (0.1 * 1 + 0.8 * 2 + 0.1 * 3))


def test_sparse_categorical_crossentropy_by_hand():
    p = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    assert value("sparse_categorical_crossentropy", np.array([1, 0]), p) == pytest.approx(
        (-math.log(0.5) - math.log(0.6)) / 2)
    assert value("sparse_categorical_crossentropy", np.array([[2], [2]]), p) == pytest.approx(
        (-math.log(0.3) - math.log(0.1)) / 2)
    logits = np.array([[1.0, 2.0, 3.0]])
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    got = float(losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([0]), Tensor(logits)).data)
    assert got == pytest.approx(lse - 1.0)


def test_binary_crossentropy_by_hand():
    y = np.array([[1.0, 0.0], [1.0, 1.0]])
    p = np.array([[0.9, 0.2], [1.0, 0.0]])  # 1.0 and 0.0 are clipped to 1-1e-7 and 1e-7
    per = [(-math.log(0.9) - math.log(0.8)) / 2, (-math.log(1 - EPS) - math.log(EPS)) / 2]
    assert value("binary_crossentropy", y, p) == pytest.approx(sum(per) / 2, rel=1e-6)
    x = np.array([[2.0, -1.0]])
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    expected = (-math.log(sig(2.0)) - math.log(1 - sig(-1.0))) / 2
    got = float(losses.BinaryCrossentropy(from_logits=True)(np.array([[1.0, 0.0]]), Tensor(x)).data)
    assert got == pytest.approx(expected)
    # y (batch,) against p (batch, 1) is expanded, as Keras does
    assert value("binary_crossentropy", np.array([1.0, 0.0]), np.array([[0.9], [0.2]])) == pytest.approx(
        (-math.log(0.9) - math.log(0.8)) / 2)
    # label smoothing 0.2: y = 1 → 0.9
    got = float(losses.BinaryCrossentropy(label_smoothing=0.2)(np.array([[1.0]]), Tensor(np.array([[0.9]]))).data)
    assert got == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))


def test_logit_losses_are_stable_for_huge_logits():
    x = Tensor(np.array([[1000.0, -1000.0]], dtype=np.float32), requires_grad=True)
    out = losses.CategoricalCrossentropy(from_logits=True)(np.array([[0.0, 1.0]]), x)
    assert float(out.data) == pytest.approx(2000.0)
    out.backward()
    assert np.all(np.isfinite(x.grad))
    out = losses.BinaryCrossentropy(from_logits=True)(np.array([[0.0, 1.0]]), x)
    assert float(out.data) == pytest.approx(1000.0)


@pytest.mark.parametrize("name", ["mse", "mae", "mape", "msle", "huber", "hinge", "squared_hinge",
                                  "categorical_hinge", "kld", "log_cosh", "poisson", "cosine_similarity",
                                  "binary_crossentropy", "categorical_crossentropy"])
def test_gradients(name):
    loss = losses.get(name)
    y = YG + 0.5 if name == "mape" else YG  # |y| ≥ epsilon: no 1e7-sized slopes for finite differences
    check_grad(lambda t: loss.fn(y, t), PG)


def test_gradients_from_logits_and_sparse():
    check_grad(lambda t: losses.categorical_crossentropy(YG, t, from_logits=True), ZG)
    check_grad(lambda t: losses.binary_crossentropy(YG, t, from_logits=True), ZG)
    check_grad(lambda t: losses.sparse_categorical_crossentropy(np.array([1, 2]), t, from_logits=True), ZG)
    check_grad(lambda t: losses.sparse_categorical_crossentropy(np.array([1, 2]), t), PG)
    check_grad(lambda t: losses.categorical_crossentropy(YG, t, axis=0), PG)
    check_grad(lambda t: losses.categorical_crossentropy(YG, t, from_logits=True, label_smoothing=0.1), ZG)


def test_fused_ops_gradient_wrt_targets():
    check_grad(lambda z, y: L.softmax_cross_entropy(z, y), ZG, YG)
    check_grad(lambda z, y: L.sigmoid_binary_cross_entropy(z, y), ZG, YG)
    check_grad(lambda p, y: L.binary_cross_entropy_prob(p, y), PG, YG)
    check_grad(lambda p, y: L.categorical_cross_entropy_prob(p, y), PG, YG)
    check_grad(lambda p, y: L.mean_squared_error(p, y), PG, YG)


def test_probability_gradient_is_zero_where_clipped():
    p = Tensor(np.array([[0.0, 1.0]]), requires_grad=True)
    losses.binary_crossentropy(np.array([[1.0, 0.0]]), p).sum().backward()
    np.testing.assert_array_equal(p.grad, [[0.0, 0.0]])


@pytest.mark.parametrize("name", ["mse", "mae", "mape", "msle", "huber", "hinge", "kld", "log_cosh", "poisson",
                                  "cosine_similarity", "binary_crossentropy", "categorical_crossentropy",
                                  "categorical_hinge", "squared_hinge"])
def test_float32_stays_float32(name):
    p = Tensor(PG.astype(np.float32), requires_grad=True)
    out = losses.get(name)(YG, p, sample_weight=np.array([1.0, 2.0]))
    assert out.dtype == np.float32
    out.backward()
    assert p.grad.dtype == np.float32


def test_float32_logits_and_sparse():
    z = Tensor(ZG.astype(np.float32), requires_grad=True)
    for loss in [losses.CategoricalCrossentropy(from_logits=True), losses.BinaryCrossentropy(from_logits=True)]:
        out = loss(YG, z)
        assert out.dtype == np.float32
    out = losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([0, 2]), z)
    out.backward()
    assert out.dtype == np.float32 and z.grad.dtype == np.float32
