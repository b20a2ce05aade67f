"""Numba kernels for the recurrent layers' per-step elementwise work (float32, tanh/sigmoid; CPU only).

One call per time step replaces ~12 numpy passes: the gates from the recurrent product plus the input
projection and the bias, the state update and the output (forward); the gate derivatives and the gradient
carried to the previous step (backward). The per-step GEMMs stay in numpy's BLAS (a numba loop calling BLAS
measured no faster: the Python overhead per step is ~1 µs next to a ~24 µs GEMM).

This module holds the loader, the shared activations and the LSTM kernels; ``recurrent_kernels_gru`` and
``recurrent_kernels_rnn`` hold GRU's and SimpleRNN's. Shared conventions:

- ``m`` (N,) bool or None: the Keras mask of this step. A masked row carries its states through unchanged
  (forward) and passes its whole state gradient on to the previous step (backward). ``None`` compiles a
  specialisation without the test (numba prunes ``is None`` branches).
- ``rec`` (N, U) or None: the recurrent-dropout mask, which scales the hidden state inside the recurrent
  products; backward kernels apply it to ``dgemm`` (the GEMM's gradient for the previous hidden state).
- ``carry`` (N, U): the part of the previous step's hidden-state gradient that does not come through the
  recurrent GEMM (masked rows, GRU's ``z * dh``); in on entry, out on exit.

tanh is Eigen's float32 rational approximation (clamped at ±7.905; absolute error below 3e-7 on the whole
line), so the loops vectorise without SVML; sigmoid(a) = 0.5 tanh(a / 2) + 0.5. Results match the numpy path
within float32 rounding (a few ulp). ``kernels(name)`` returns None when numba is not importable; callers then
keep the numpy path.
"""

from __future__ import annotations

import numpy as np

_kernels: dict = {}


def kernels(name: str):
    """The compiled kernels of ``name`` ("lstm", "gru", "rnn") as a tuple, or None without numba."""
    if name not in _kernels:
        try:
            import numba  # noqa: PLC0415 - optional, CPU only; imported on first use
        except ImportError:
            _kernels[name] = None
            return None
        if name == "lstm":
            _kernels[name] = _build_lstm(numba)
        elif name == "gru":
            from engine.ops.recurrent_kernels_gru import build  # noqa: PLC0415

            _kernels[name] = build(numba)
        else:
            from engine.ops.recurrent_kernels_rnn import build  # noqa: PLC0415

            _kernels[name] = build(numba)
    return _kernels[name]


def lstm_kernels():
    """(forward_step, backward_step) of the LSTM, or None without numba."""
    return kernels("lstm")


def activations(numba):
    """(tanh, sigmoid) as inlined float32 numba functions."""
    f32 = np.float32
    clamp = f32(7.90531110763549805)
    a1, a3, a5 = f32(4.89352455891786e-03), f32(6.37261928875436e-04), f32(1.48572235717979e-05)
    a7, a9 = f32(5.12229709037114e-08), f32(-8.60467152213735e-11)
    a11, a13 = f32(2.00018790482477e-13), f32(-2.76076847742355e-16)
    b0, b2, b4, b6 = (f32(4.89352518554385e-03), f32(2.26843463243900e-03), f32(1.18534705686654e-04),
                      f32(1.19825839466702e-06))
    half = f32(0.5)

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

    @numba.njit(inline="always", error_model="numpy")
    def sigmoid_(x):  # pragma: no cover - compiled
        return half * tanh_(half * x) + half

    return tanh_, sigmoid_


# fastmath "contract" only: a * b + c may become one FMA (one rounding instead of two: the result moves by at
# most an ulp, and NaN/inf keep their meaning, unlike full fastmath). Without it LLVM keeps every multiply and
# add apart (no vfmadd in ``inspect_asm``). LSTM forward_step, 64 x 64, one thread: 35 -> 26 us.
JIT = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}


def _build_lstm(numba):
    tanh_, sigmoid_ = activations(numba)
    one, two = np.float32(1.0), np.float32(2.0)

    @numba.njit(**JIT)
    def forward_step(z, xw, b, prev, cur, tc, m):  # pragma: no cover - compiled
        """z (N, 4U): h_prev @ R on entry, the gates i, f, g, o on exit; xw (N, 4U) the input projection and
        b (4U,) the bias; prev / cur (N, 2U): [h | c] of the previous / this step; tc (N, U): tanh(c).
        The g columns of R, xw and b come scaled by 2: tanh(a) = 2 sigmoid(2a) - 1, so that one sigmoid
        loop covers all four gates (it vectorises best)."""
        n, u = tc.shape
        for r in range(n):  # simple loops over 1-D rows: each one vectorises
            zr, xr, pr, cr, tr = z[r], xw[r], prev[r], cur[r], tc[r]
            if m is not None and not m[r]:
                for j in range(2 * u):
                    cr[j] = pr[j]
                continue
            for j in range(4 * u):
                zr[j] = sigmoid_(zr[j] + xr[j] + b[j])
            for j in range(u):
                g = two * zr[2 * u + j] - one
                zr[2 * u + j] = g
                cr[u + j] = zr[u + j] * pr[u + j] + zr[j] * g
            for j in range(u):
                tr[j] = tanh_(cr[u + j])
            for j in range(u):
                cr[j] = zr[3 * u + j] * tr[j]

    @numba.njit(**JIT)
    def backward_step(g, dgemm, rec, carry, dc, z, tc, prev, dz, m):  # pragma: no cover - compiled
        """g (N, 2U): the output gradient of this step ([h | c]); dgemm (N, U): dz of the next step @ R.T;
        carry (N, U) or None (only without a mask) / dc (N, U): the carried hidden / cell gradients (in: from
        the next step, out: for the previous one); z (N, 4U) the gates; tc (N, U) tanh(c); prev (N, 2U)
        [h | c] of the previous step; dz (N, 4U) ← gradient of the gate pre-activations."""
        n, u = tc.shape
        for r in range(n):
            if m is not None and not m[r]:  # carried through: everything goes to the previous step
                for j in range(u):
                    d = dgemm[r, j] * rec[r, j] if rec is not None else dgemm[r, j]
                    carry[r, j] += g[r, j] + d
                    dc[r, j] += g[r, u + j]
                for j in range(4 * u):
                    dz[r, j] = 0
                continue
            for j in range(u):
                dhh = g[r, j] + (dgemm[r, j] * rec[r, j] if rec is not None else dgemm[r, j])
                if carry is not None:
                    dhh += carry[r, j]
                    carry[r, j] = 0
                i, f, gg, o = z[r, j], z[r, u + j], z[r, 2 * u + j], z[r, 3 * u + j]
                t = tc[r, j]
                dcc = g[r, u + j] + dc[r, j] + dhh * o * (one - t * t)
                dz[r, j] = dcc * gg * (i - i * i)
                dz[r, u + j] = dcc * prev[r, u + j] * (f - f * f)
                dz[r, 2 * u + j] = dcc * i * (one - gg * gg)
                dz[r, 3 * u + j] = dhh * t * (o - o * o)
                dc[r, j] = dcc * f

    return forward_step, backward_step
