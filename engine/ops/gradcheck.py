"""Numerical gradient checking (central differences in float64), used by the test suite."""

from __future__ import annotations

import numpy as np

from engine.autograd import Tensor


def numerical_grad(f, arrays, index, eps=1e-6):
    """d(sum(f(*arrays) * w))/d(arrays[index]) by central differences; ``f`` returns an array."""
    x = arrays[index]
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f(*arrays)
        x[i] = old - eps
        minus = f(*arrays)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def check_grad(fn, *arrays, atol=1e-5, rtol=1e-4, seed=0):
    """Compare autograd against central differences for ``fn(*tensors) -> Tensor``.

    The output is contracted with a fixed random weight so every output element matters. Raises
    AssertionError naming the input whose gradient is wrong.
    """
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    w = rng.standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()

    def scalar(*xs):
        return float((fn(*[Tensor(x) for x in xs]).data * w).sum())

    for i, t in enumerate(tensors):
        expected = numerical_grad(scalar, arrays, i)
        got = t.grad if t.grad is not None else np.zeros_like(arrays[i])
        if not np.allclose(got, expected, atol=atol, rtol=rtol):
            err = np.abs(got - expected).max()
            raise AssertionError(f"gradient of input {i} differs from the numerical one: max abs error {err:.3g}")
