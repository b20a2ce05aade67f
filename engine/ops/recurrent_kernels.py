"""Numba kernels for the LSTM's per-step elementwise work (float32, tanh/sigmoid, no mask; CPU only).

One call per time step replaces ~12 numpy passes: the gates from the recurrent product plus the input
projection, the cell update and the output (forward); the four gate derivatives and the carried cell
gradient (backward). The per-step GEMMs stay in numpy's BLAS.

tanh is Eigen's float32 rational approximation (clamped at ±7.905; absolute error below 3e-7 on the whole
line), so the loops vectorise without SVML; sigmoid(a) = 0.5 tanh(a / 2) + 0.5. Results match the numpy path
within float32 rounding (a few ulp). ``lstm_kernels()`` returns None when numba is not importable; callers
then keep the numpy path.
"""

from __future__ import annotations

import numpy as np

_kernels: dict = {}


def lstm_kernels():
    """(forward_step, backward_step) compiled numba functions, or None without numba."""
    if "lstm" not in _kernels:
        try:
            import numba  # noqa: PLC0415 - optional, CPU only; imported on first use
        except ImportError:
            _kernels["lstm"] = None
            return None
        _kernels["lstm"] = _build(numba)
    return _kernels["lstm"]


def _build(numba):
    f32 = np.float32
    clamp = f32(7.90531110763549805)
    a1, a3, a5 = f32(4.89352455891786e-03), f32(6.37261928875436e-04), f32(1.48572235717979e-05)
    a7, a9 = f32(5.12229709037114e-08), f32(-8.60467152213735e-11)
    a11, a13 = f32(2.00018790482477e-13), f32(-2.76076847742355e-16)
    b0, b2, b4, b6 = (f32(4.89352518554385e-03), f32(2.26843463243900e-03), f32(1.18534705686654e-04),
                      f32(1.19825839466702e-06))
    half, one, two = f32(0.5), f32(1.0), f32(2.0)

    # error_model="numpy": no zero-division branch, so the loops vectorise
    @numba.njit(inline="always", error_model="numpy")
    def tanh_(x):  # pragma: no cover - compiled
        x = clamp if x > clamp else x
        x = -clamp if x < -clamp else x
        x2 = x * x
        p = x2 * a13 + a11
        p = p * x2 + a9
        p = p * x2 + a7
        p = p * x2 + a5
        p = p * x2 + a3
        p = p * x2 + a1
        p = p * x
        q = x2 * b6 + b4
        q = q * x2 + b2
        q = q * x2 + b0
        return p / q

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def forward_step(z, xw, prev, cur, tc):  # pragma: no cover - compiled
        """z (N, 4U): h_prev @ R on entry, the gates i, f, g, o on exit; xw (N, 4U) the input projection;
        prev / cur (N, 2U): [h | c] of the previous / this step; tc (N, U): tanh(c) of this step.
        The g columns of R and xw come scaled by 2: tanh(a) = 2 sigmoid(2a) - 1, so that one flat sigmoid
        loop covers all four gates (it vectorises best)."""
        n, u = tc.shape
        zf, xf = z.ravel(), xw.ravel()
        for k in range(zf.size):
            zf[k] = half * tanh_(half * (zf[k] + xf[k])) + half
        for r in range(n):  # simple loops over 1-D rows: each one vectorises
            zr, pr, cr, tr = z[r], prev[r], cur[r], tc[r]
            for j in range(u):
                g = two * zr[2 * u + j] - one
                zr[2 * u + j] = g
                cr[u + j] = zr[u + j] * pr[u + j] + zr[j] * g
            for j in range(u):
                tr[j] = tanh_(cr[u + j])
            for j in range(u):
                cr[j] = zr[3 * u + j] * tr[j]

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def backward_step(g, dh, dc, z, tc, prev, dz):  # pragma: no cover - compiled
        """g (N, 2U): the output gradient of this step; dh / dc (N, U): the gradients carried from the next
        step (dc updated in place to the one for the previous step); z (N, 4U) the gates; tc (N, U) tanh(c);
        prev (N, 2U) [h | c] of the previous step; dz (N, 4U) ← gradient of the gate pre-activations."""
        n, u = tc.shape
        for r in range(n):
            for j in range(u):
                i, f, gg, o = z[r, j], z[r, u + j], z[r, 2 * u + j], z[r, 3 * u + j]
                t = tc[r, j]
                dhh = g[r, j] + dh[r, j]
                dcc = g[r, u + j] + dc[r, j] + dhh * o * (one - t * t)
                dz[r, j] = dcc * gg * (i - i * i)
                dz[r, u + j] = dcc * prev[r, u + j] * (f - f * f)
                dz[r, 2 * u + j] = dcc * i * (one - gg * gg)
                dz[r, 3 * u + j] = dhh * t * (o - o * o)
                dc[r, j] = dcc * f

    return forward_step, backward_step
