"""Numba kernels for SimpleRNN's per-step elementwise work (float32, tanh; CPU only).

Conventions (``m``, ``rec``, ``carry``) as in ``recurrent_kernels``: ``h = tanh(h_in @ R + x @ W + b)``.
"""

from __future__ import annotations

import numpy as np

from engine.ops.recurrent_kernels import JIT, activations


def build(numba):
    """(forward_step, backward_step)."""
    tanh_, _ = activations(numba)
    one = np.float32(1.0)

    @numba.njit(**JIT)
    def forward_step(a, xw, b, prev, new, cur, m):  # pragma: no cover - compiled
        """a (N, U) = h_in @ R; xw (N, U) the input projection; b (U,); new (N, U) ← tanh(...);
        cur (N, U) ← the state (``new``, or ``prev`` on a masked row; may be ``new`` itself without a mask)."""
        n, u = a.shape
        for s in range(n):
            if m is not None and not m[s]:
                for j in range(u):
                    cur[s, j] = prev[s, j]
                continue
            for j in range(u):
                new[s, j] = tanh_(a[s, j] + xw[s, j] + b[j])
            if m is not None:
                for j in range(u):
                    cur[s, j] = new[s, j]

    @numba.njit(**JIT)
    def backward_step(g, dgemm, rec, carry, new, da, m):  # pragma: no cover - compiled
        """g (N, U) the output gradient; dgemm (N, U) = da of the next step @ R.T; carry (N, U) or None (only
        without a mask); new (N, U) tanh outputs; da (N, U) ← gradient of the pre-activation."""
        n, u = g.shape
        for s in range(n):
            if m is not None and not m[s]:
                for j in range(u):
                    carry[s, j] += g[s, j] + (dgemm[s, j] * rec[s, j] if rec is not None else dgemm[s, j])
                    da[s, j] = 0
                continue
            for j in range(u):
                dh = g[s, j] + (dgemm[s, j] * rec[s, j] if rec is not None else dgemm[s, j])
                if carry is not None:
                    dh += carry[s, j]
                    carry[s, j] = 0
                y = new[s, j]
                da[s, j] = dh * (one - y * y)

    return forward_step, backward_step
