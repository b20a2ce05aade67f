"""Fused recurrent ops against a naive per-step implementation of Keras' maths (FORMAT.md §8)."""

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops.gradcheck import check_grad
from engine.ops.recurrent import gru, lstm, simple_rnn


def sig(x):
    return 1 / (1 + np.exp(-x))


def hsig(x):
    return np.clip(x / 6 + 0.5, 0, 1)


def run_naive(step, x, states, mask=None, go_backwards=False):
    """Keras backend.rnn: states carried unchanged at masked steps; outputs in processing order."""
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outs = []
    for t in order:
        new = step(x[:, t], *states)
        if mask is not None:
            m = mask[:, t][:, None]
            new = [np.where(m, a, b) for a, b in zip(new, states)]
        states = new
        outs.append(states)
    return [np.stack([o[i] for o in outs], axis=1) for i in range(len(states))]


def naive_lstm(x, h0, c0, k, r, b, mask=None, go_backwards=False, rec_mask=None, ract=sig):
    u = r.shape[0]

    def step(xt, h, c):
        hin = h * rec_mask if rec_mask is not None else h
        z = xt @ k + hin @ r + b
        i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        c = ract(f) * c + ract(i) * np.tanh(g)
        return [ract(o) * np.tanh(c), c]

    return run_naive(step, x, [h0, c0], mask, go_backwards)


def naive_gru(x, h0, k, r, b, reset_after=True, mask=None, go_backwards=False, rec_mask=None):
    u = r.shape[0]

    def step(xt, h):
        hin = h * rec_mask if rec_mask is not None else h
        if reset_after:
            xz, xr, xh = np.split(xt @ k + b[0], 3, axis=1)
            hz, hr, hh = np.split(hin @ r + b[1], 3, axis=1)
            z, rr = sig(xz + hz), sig(xr + hr)
            n = np.tanh(xh + rr * hh)
        else:
            xz, xr, xh = np.split(xt @ k + b, 3, axis=1)
            z = sig(xz + hin @ r[:, :u])
            rr = sig(xr + hin @ r[:, u:2 * u])
            n = np.tanh(xh + (rr * hin) @ r[:, 2 * u:])
        return [z * h + (1 - z) * n]

    return run_naive(step, x, [h0], mask, go_backwards)


def naive_rnn(x, h0, k, r, b, act=np.tanh, mask=None, go_backwards=False):
    return run_naive(lambda xt, h: [act(xt @ k + h @ r + b)], x, [h0], mask, go_backwards)


N, T, D, U = 2, 4, 3, 2
MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 0]], bool)


def arrays(gates, bias_shape=None, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, U)) * 0.5
    c0 = rng.standard_normal((N, U)) * 0.5
    k = rng.standard_normal((D, gates * U)) * 0.7
    r = rng.standard_normal((U, gates * U)) * 0.7
    b = rng.standard_normal(bias_shape or (gates * U,)) * 0.5
    return x, h0, c0, k, r, b


OPTIONS = [dict(), dict(go_backwards=True), dict(mask=MASK), dict(mask=MASK, go_backwards=True),
           dict(rec_mask=np.array([[2.0, 0.0], [0.0, 2.0]]))]


@pytest.mark.parametrize("opts", OPTIONS)
def test_lstm_matches_naive_and_gradients(opts):
    x, h0, c0, k, r, b = arrays(4)
    out = lstm(Tensor(x), Tensor(h0), Tensor(c0), Tensor(k), Tensor(r), Tensor(b), **opts).data
    hs, cs = naive_lstm(x, h0, c0, k, r, b, **opts)
    np.testing.assert_allclose(out[..., :U], hs, atol=1e-12)
    np.testing.assert_allclose(out[..., U:], cs, atol=1e-12)
    check_grad(lambda *a: lstm(*a, **opts), x, h0, c0, k, r, b)


def test_lstm_hard_sigmoid_no_bias_float32():
    x, h0, c0, k, r, b = arrays(4, seed=1)
    out = lstm(Tensor(x), Tensor(h0), Tensor(c0), Tensor(k), Tensor(r), recurrent_activation="hard_sigmoid")
    hs, _ = naive_lstm(x, h0, c0, k, r, 0.0, ract=hsig)
    np.testing.assert_allclose(out.data[..., :U], hs, atol=1e-12)
    check_grad(lambda *a: lstm(*a, recurrent_activation="hard_sigmoid"), x, h0, c0, k, r)
    f32 = [Tensor(a.astype(np.float32), requires_grad=True) for a in (x, h0, c0, k, r, b)]
    out = lstm(*f32)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(t.grad.dtype == np.float32 for t in f32)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("opts", OPTIONS)
def test_gru_matches_naive_and_gradients(reset_after, opts):
    x, h0, _, k, r, b = arrays(3, (2, 3 * U) if reset_after else None, seed=2)
    out = gru(Tensor(x), Tensor(h0), Tensor(k), Tensor(r), Tensor(b), reset_after=reset_after, **opts).data
    (hs,) = naive_gru(x, h0, k, r, b, reset_after=reset_after, **opts)
    np.testing.assert_allclose(out, hs, atol=1e-12)
    check_grad(lambda *a: gru(*a, reset_after=reset_after, **opts), x, h0, k, r, b)


@pytest.mark.parametrize("opts", OPTIONS)
def test_simple_rnn_matches_naive_and_gradients(opts):
    x, h0, _, k, r, b = arrays(1, seed=3)
    out = simple_rnn(Tensor(x), Tensor(h0), Tensor(k), Tensor(r), Tensor(b), **opts).data
    rec = opts.get("rec_mask")
    ref_opts = {key: v for key, v in opts.items() if key != "rec_mask"}
    if rec is None:
        (hs,) = naive_rnn(x, h0, k, r, b, **ref_opts)
        np.testing.assert_allclose(out, hs, atol=1e-12)
    check_grad(lambda *a: simple_rnn(*a, **opts), x, h0, k, r, b)


def test_simple_rnn_relu():
    x, h0, _, k, r, b = arrays(1, seed=4)
    out = simple_rnn(Tensor(x), Tensor(h0), Tensor(k), Tensor(r), Tensor(b), activation="relu").data
    (hs,) = naive_rnn(x, h0, k, r, b, act=lambda v: np.maximum(v, 0))
    np.testing.assert_allclose(out, hs, atol=1e-12)
