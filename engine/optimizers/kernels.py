"""Compiled one-pass updates over flat CPU arrays (numba, optional: None when it is not importable)."""

from __future__ import annotations

import numpy as np

_kernels: dict = {}


def _numba_adam():
    """Adam's whole update as ONE pass over flat arrays (numba; 5x fewer memory passes than the ufunc steps), or
    None when numba is not importable. Same maths and order as ``Adam._update``, in the arrays' precision.
    Serial and GIL-free: threads come from the optimizer's slices (an OpenMP pool would spin between steps and
    steal the cores BLAS needs)."""
    if "adam" not in _kernels:
        try:
            import numba  # noqa: PLC0415 - optional, CPU only; imported on first use (it takes ~0.5 s)
        except ImportError:
            _kernels["adam"] = None
            return None

        @numba.njit(cache=True, nogil=True, error_model="numpy")
        def adam(w, g, m, v, b1, b2, eps, alpha):  # pragma: no cover - compiled
            one = w.dtype.type(1.0)
            b1, b2, eps, alpha = w.dtype.type(b1), w.dtype.type(b2), w.dtype.type(eps), w.dtype.type(alpha)
            for k in range(w.size):
                gk = g[k]
                mk = m[k] * b1 + gk * (one - b1)
                vk = v[k] * b2 + gk * gk * (one - b2)
                m[k] = mk
                v[k] = vk
                w[k] -= mk / (np.sqrt(vk) + eps) * alpha

        _kernels["adam"] = adam
    return _kernels["adam"]

