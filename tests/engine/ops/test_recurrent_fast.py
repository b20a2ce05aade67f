"""The numba paths of the recurrent ops (float32) against the numpy step loop.

The numpy step loop is the reference: test_recurrent.py checks it against Keras' maths step by step and
against numerical gradients. Here both paths run on the same random float32 data (random shapes, masks with
left / right / random padding, go_backwards, recurrent dropout, no bias) and must agree on the outputs, on
every input gradient, and the kernel path's inference (nothing kept per step) on its training forward.
"""

import numpy as np
import pytest

from engine.autograd import Tensor, no_grad
from engine.ops import recurrent as R
from engine.ops import recurrent_fast
from engine.ops.recurrent import gru, lstm, simple_rnn

pytest.importorskip("numba")

OPS = {  # name → (function, gates, states, extra kwargs)
    "lstm": (lstm, 4, 2, {}),
    "gru": (gru, 3, 1, {"reset_after": True}),
    "gru_reset_before": (gru, 3, 1, {"reset_after": False}),
    "simple_rnn": (simple_rnn, 1, 1, {}),
}
OPTIONS = {
    "plain": {},
    "go_backwards": {"go_backwards": True},
    "mask_right_padding": {"mask": "right"},
    "mask_left_padding_backwards": {"mask": "left", "go_backwards": True},
    "mask_random": {"mask": "random"},
    "recurrent_dropout_and_mask": {"rec_mask": True, "mask": "right"},
    "recurrent_dropout_no_bias": {"rec_mask": True, "bias": False},
    "last_only_masked_backwards": {"last_only": True, "mask": "random", "go_backwards": True},
}


def _mask(kind, rng, n, t):
    if kind == "random":
        return rng.random((n, t)) < 0.6
    lengths = rng.integers(0, t + 1, n)  # a fully padded row too, sometimes
    steps = np.arange(t)[None, :]
    return steps < lengths[:, None] if kind == "right" else steps >= t - lengths[:, None]


def _case(name, opts, seed):
    rng = np.random.default_rng(seed)
    fn, gates, n_states, extra = OPS[name]
    n, t, d, u = (int(v) for v in rng.integers([1, 1, 1, 1], [7, 10, 8, 10]))
    f32 = np.float32
    x = rng.standard_normal((n, t, d)).astype(f32) * f32(1.5)
    states = [rng.standard_normal((n, u)).astype(f32) * f32(0.5) for _ in range(n_states)]
    k = rng.standard_normal((d, gates * u)).astype(f32) * f32(0.8)
    r = rng.standard_normal((u, gates * u)).astype(f32) * f32(0.8)
    weights = [k, r]
    if opts.get("bias", True):
        weights.append(rng.standard_normal((2, 3 * u) if extra.get("reset_after") else (gates * u,)).astype(f32))
    kwargs = dict(extra, go_backwards=opts.get("go_backwards", False), last_only=opts.get("last_only", False))
    if "mask" in opts:
        kwargs["mask"] = _mask(opts["mask"], rng, n, t)
    if opts.get("rec_mask"):
        kwargs["rec_mask"] = (rng.random((n, u)) < 0.7).astype(f32) / f32(0.7)
    out_dim = 2 * u if name == "lstm" else u
    gout = rng.standard_normal((n, out_dim) if kwargs["last_only"] else (n, t, out_dim)).astype(f32)
    return fn, [x, *states, *weights], kwargs, gout


def _run(monkeypatch, use_kernels, fn, arrays, kwargs, gout):
    monkeypatch.setattr(R._Recurrent, "use_kernels", use_kernels)
    used = []
    real = recurrent_fast.usable
    monkeypatch.setattr(recurrent_fast, "usable", lambda *a: used.append(real(*a)) or used[-1])
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts, **kwargs)
    (out * Tensor(gout)).sum().backward()
    with no_grad():
        infer = fn(*[Tensor(a) for a in arrays], **kwargs).data
    assert [u is not None for u in used] == [use_kernels] * 2, "the path under test did not run"
    return out.data, infer, [t_.grad for t_ in ts]


@pytest.mark.parametrize("opt", OPTIONS)
@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("seed", [0, 1])
def test_numba_path_matches_the_numpy_step_loop(monkeypatch, name, opt, seed):
    fn, arrays, kwargs, gout = _case(name, OPTIONS[opt], seed)
    out0, inf0, grads0 = _run(monkeypatch, False, fn, arrays, kwargs, gout)
    out1, inf1, grads1 = _run(monkeypatch, True, fn, arrays, kwargs, gout)
    assert out1.dtype == np.float32 and all(g.dtype == np.float32 for g in grads1)
    np.testing.assert_allclose(out1, out0, rtol=1e-5, atol=3e-6)
    np.testing.assert_array_equal(inf1, out1)  # inference keeps one step's scratch: same numbers
    np.testing.assert_array_equal(inf0, out0)
    for g1, g0 in zip(grads1, grads0):
        np.testing.assert_allclose(g1, g0, rtol=1e-4, atol=3e-5)


@pytest.mark.parametrize("use_kernels", [True, False])
@pytest.mark.parametrize("name", OPS)
def test_last_only_is_the_last_step_of_the_sequence(monkeypatch, name, use_kernels):
    """``last_only`` (what a layer without return_sequences asks for) = the full output's last processed
    step, with the gradients of a loss on that step alone; inference (two state buffers in turn) too."""
    fn, arrays, kwargs, gout = _case(name, {"mask": "right", "last_only": True}, seed=5)
    last, last_infer, grads = _run(monkeypatch, use_kernels, fn, arrays, kwargs, gout)
    full_gout = np.zeros((*gout.shape[:1], arrays[0].shape[1], gout.shape[1]), np.float32)
    full_gout[:, -1] = gout
    full, _, full_grads = _run(monkeypatch, use_kernels, fn, arrays, {**kwargs, "last_only": False}, full_gout)
    np.testing.assert_array_equal(last, full[:, -1])
    np.testing.assert_array_equal(last_infer, full[:, -1])
    for a, b in zip(grads, full_grads):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_masked_steps_carry_the_state_through(monkeypatch):
    """A row whose last steps are masked ends with the state of its last unmasked step (Keras semantics)."""
    fn, arrays, kwargs, gout = _case("gru", {"mask": "right"}, seed=3)
    mask = kwargs["mask"]
    out, _, _ = _run(monkeypatch, True, fn, arrays, kwargs, gout)
    h0 = arrays[1]
    for row, m in enumerate(mask):
        steps = np.flatnonzero(m)
        want = out[row, steps[-1]] if steps.size else h0[row]
        np.testing.assert_array_equal(out[row, -1], want)


@pytest.mark.parametrize("name", ["lstm", "gru", "simple_rnn"])
def test_other_dtypes_and_activations_take_the_numpy_loop(monkeypatch, name):
    fn, arrays, kwargs, gout = _case(name, {}, seed=4)
    used = []
    real = recurrent_fast.usable
    monkeypatch.setattr(recurrent_fast, "usable", lambda *a: used.append(real(*a)) or used[-1])
    fn(*[Tensor(a.astype(np.float64)) for a in arrays], **kwargs)
    assert used == [None]
    act = {"activation": "relu"}
    fn(*[Tensor(a) for a in arrays], **kwargs, **act)
    assert used == [None]  # relu is not a kernel activation: usable() is not even asked
