"""The recurrent numba kernels' activations, and the numpy fallback when numba is missing."""

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops import recurrent_kernels
from engine.ops.recurrent import gru, lstm, simple_rnn


def test_lstm_kernel_sigmoid_and_tanh_accuracy():
    pytest.importorskip("numba")
    step, _ = recurrent_kernels.lstm_kernels()
    n, u = 1, 4001
    a = np.linspace(-30, 30, 4 * u, dtype=np.float32).reshape(n, 4 * u)
    z, prev = np.zeros((n, 4 * u), np.float32), np.zeros((n, 2 * u), np.float32)
    xw = a.copy()
    xw[:, 2 * u:3 * u] *= 2  # the kernel takes the tanh gate's pre-activation doubled
    b = np.zeros(4 * u, np.float32)
    step(z, xw, b, prev, np.empty((n, 2 * u), np.float32), np.empty((n, u), np.float32), None)
    a64 = a.astype(np.float64)
    want = 1 / (1 + np.exp(-a64))
    want[:, 2 * u:3 * u] = np.tanh(a64[:, 2 * u:3 * u])
    np.testing.assert_allclose(z, want, rtol=0, atol=5e-7)


def test_simple_rnn_kernel_tanh_accuracy():
    pytest.importorskip("numba")
    step, _ = recurrent_kernels.kernels("rnn")
    a = np.linspace(-30, 30, 10001, dtype=np.float32).reshape(1, -1)
    new = np.empty_like(a)
    zero = np.zeros_like(a)
    step(a, zero, np.zeros(a.shape[1], np.float32), zero, new, new, None)
    np.testing.assert_allclose(new, np.tanh(a.astype(np.float64)), rtol=0, atol=5e-7)


@pytest.mark.parametrize("name", ["lstm", "gru", "rnn"])
def test_float32_without_numba(monkeypatch, name):
    rng = np.random.default_rng(6)
    n, t, d, u = 2, 4, 3, 2
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[name]
    x = rng.standard_normal((n, t, d))
    h0 = rng.standard_normal((n, u)) * 0.5
    k, r = rng.standard_normal((d, gates * u)), rng.standard_normal((u, gates * u))
    b = rng.standard_normal((2, 3 * u) if name == "gru" else (gates * u,))
    args = [x, h0, h0 * 0.5, k, r, b] if name == "lstm" else [x, h0, k, r, b]
    fn = {"lstm": lstm, "gru": gru, "rnn": simple_rnn}[name]
    want = fn(*(Tensor(a) for a in args)).data  # float64: the numpy loop
    monkeypatch.setitem(recurrent_kernels._kernels, name, None)  # as if numba were not importable
    out = fn(*(Tensor(a.astype(np.float32)) for a in args)).data
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, want, atol=2e-5)
