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


@pytest.mark.parametrize("activation", ["relu", "linear"])
@pytest.mark.parametrize("shape", [(9, 5), (3, 4, 5)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_float32_kernels_match_the_numpy_path(activation, shape, with_bias, monkeypatch):
    """float32 CPU arrays take the numba bias+relu / relu-mask kernels and a GEMV bias gradient."""
    from engine.ops import conv_kernels as CK  # noqa: PLC0415

    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    w, b = rng.normal(size=(5, 7)).astype("float32"), rng.normal(size=7).astype("float32")
    g = rng.normal(size=(*shape[:-1], 7)).astype("float32")

    def run():
        args = [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)]
        if with_bias:
            args.append(Tensor(b, requires_grad=True))
        out = nn.linear(*args, activation=activation)
        out.backward(g.copy())
        return [out.data, *(a.grad for a in args)]

    assert CK.usable(x, w)
    fast = run()
    monkeypatch.setattr(CK, "usable", lambda *arrays: False)
    slow = run()
    assert (fast[0] == 0).any() == (activation == "relu")  # relu zeroed some entries
    for got, expected in zip(fast, slow, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
