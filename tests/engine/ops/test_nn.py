"""engine.ops.nn: the fused linear op (x @ W + b with its activation) and dropout."""

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops import nn
from engine.ops.gradcheck import check_grad

RNG = np.random.default_rng(0)
ACTS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "tanh": np.tanh}


@pytest.mark.parametrize("activation", sorted(ACTS))
def test_linear_forward_matches_numpy(activation):
    x, w, b = RNG.normal(size=(5, 4)), RNG.normal(size=(4, 3)), RNG.normal(size=3)
    out = nn.linear(Tensor(x.astype("float32")), Tensor(w.astype("float32")), Tensor(b.astype("float32")),
                    activation=activation)
    assert out.shape == (5, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, ACTS[activation](x @ w + b), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", sorted(ACTS))
def test_linear_gradients(activation):
    x = RNG.normal(size=(5, 4)) + 0.05  # keep relu inputs away from the kink
    check_grad(lambda a, w, b: nn.linear(a, w, b, activation=activation), x, RNG.normal(size=(4, 3)),
               RNG.normal(size=3))


def test_linear_without_bias_and_on_3d_inputs():
    x, w = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(4, 5))
    assert nn.linear(Tensor(x), Tensor(w)).shape == (2, 3, 5)
    check_grad(lambda a, k: nn.linear(a, k, activation="tanh"), x, w)
    check_grad(lambda a, k, b: nn.linear(a, k, b, activation="relu"), x + 0.01, w, RNG.normal(size=5))


def test_linear_casts_integer_inputs_to_the_weight_dtype():
    out = nn.linear(Tensor(np.arange(6).reshape(2, 3)), Tensor(np.ones((3, 2), dtype="float32")))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, [[3, 3], [12, 12]])


def test_linear_rejects_activations_it_cannot_fuse():
    with pytest.raises(ValueError, match="fuses only"):
        nn.linear(Tensor(np.ones((1, 2))), Tensor(np.ones((2, 2))), activation="softmax")


def test_dropout_zeroes_a_fraction_and_keeps_the_expectation():
    x = np.ones((200, 100), dtype="float32")
    out = nn.dropout(Tensor(x), 0.3, generator=np.random.default_rng(1)).data
    kept = out != 0
    assert 0.65 < kept.mean() < 0.75
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert out.dtype == np.float32


def test_dropout_noise_shape_shares_the_mask_along_broadcast_axes():
    out = nn.dropout(Tensor(np.ones((4, 6, 3))), 0.5, noise_shape=(None, 1, 3),
                     generator=np.random.default_rng(2)).data
    assert (out == out[:, :1, :]).all()


def test_dropout_gradient_uses_the_same_mask():
    x = RNG.normal(size=(4, 5))
    check_grad(lambda a: nn.dropout(a, 0.4, generator=np.random.default_rng(3)), x)
