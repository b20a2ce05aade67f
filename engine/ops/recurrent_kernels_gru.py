"""Numba kernels for the GRU's per-step elementwise work (float32, tanh/sigmoid; CPU only).

Conventions (``m``, ``rec``, ``carry``) as in ``recurrent_kernels``. Gates z, r, h as Keras; the new state is
``h = z * h_prev + (1 - z) * n``, written ``n + z * (h_prev - n)``.

reset_after=True (Keras 3's default, one recurrent GEMM per step): ``hr = h_in @ R``,
``n = tanh(x_h + b_h + r * (hr_h + br_h))``; the gates buffer per step is [z | r | n | hr_h + br_h] (N, 4U).

reset_after=False (two GEMMs per step, the second needs r): ``n = tanh(x_h + b_h + (r * h_in) @ R_h)``; the
gates buffer is [z | r | n] (N, 3U) and ``aux = r * h_in`` (N, U) is kept for the R_h gradient.
"""

from __future__ import annotations

import numpy as np

from engine.ops.recurrent_kernels import JIT, activations


def build(numba):
    """(forward_after, backward_after, forward_zr, forward_h, backward_h, backward_r)."""
    tanh_, sigmoid_ = activations(numba)
    one = np.float32(1.0)

    @numba.njit(**JIT)
    def forward_after(hr, xw, bi, br, gates, prev, cur, m):  # pragma: no cover - compiled
        """hr (N, 3U) = h_in @ R; xw (N, 3U) the input projection; bi / br (3U,) the input / recurrent bias;
        gates (N, 4U) ← [z | r | n | hr_h + br_h]; prev / cur (N, U) the hidden state before / after."""
        n, u = cur.shape
        for s in range(n):
            hs, xs, gs, ps, cs = hr[s], xw[s], gates[s], prev[s], cur[s]
            if m is not None and not m[s]:
                for j in range(u):
                    cs[j] = ps[j]
                continue
            for j in range(2 * u):
                gs[j] = sigmoid_(xs[j] + hs[j] + bi[j] + br[j])
            for j in range(u):
                a = hs[2 * u + j] + br[2 * u + j]
                gs[3 * u + j] = a
                gs[2 * u + j] = tanh_(xs[2 * u + j] + bi[2 * u + j] + gs[u + j] * a)
            for j in range(u):
                nn = gs[2 * u + j]
                cs[j] = nn + gs[j] * (ps[j] - nn)

    @numba.njit(**JIT)
    def backward_after(g, dgemm, rec, carry, gates, prev, dxw, drec, m):  # pragma: no cover - compiled
        """g (N, U) the output gradient of this step; dgemm (N, U) = drec of the next step @ R.T; carry (N, U)
        in/out; gates (N, 4U); prev (N, U) the previous hidden state; dxw (N, 3U) ← gradient of the input
        pre-activations, drec (N, 3U) ← of the recurrent ones (hr + br)."""
        n, u = g.shape
        for s in range(n):
            masked = m is not None and not m[s]
            for j in range(u):
                dh = g[s, j] + carry[s, j] + (dgemm[s, j] * rec[s, j] if rec is not None else dgemm[s, j])
                if masked:
                    carry[s, j] = dh
                    continue
                z, r, nn, a = gates[s, j], gates[s, u + j], gates[s, 2 * u + j], gates[s, 3 * u + j]
                dan = dh * (one - z) * (one - nn * nn)
                daz = dh * (prev[s, j] - nn) * (z - z * z)
                dar = dan * a * (r - r * r)
                dxw[s, j] = daz
                dxw[s, u + j] = dar
                dxw[s, 2 * u + j] = dan
                drec[s, j] = daz
                drec[s, u + j] = dar
                drec[s, 2 * u + j] = dan * r
                carry[s, j] = dh * z
            if masked:
                for j in range(3 * u):
                    dxw[s, j] = 0
                    drec[s, j] = 0

    @numba.njit(**JIT)
    def forward_zr(hzr, xw, b, gates, hin, aux, m):  # pragma: no cover - compiled
        """reset_after=False, first half. hzr (N, 2U) = h_in @ R_zr; gates[:, :2U] ← z | r;
        aux (N, U) ← r * h_in (the input of the second GEMM)."""
        n, u = aux.shape
        for s in range(n):
            if m is not None and not m[s]:
                for j in range(u):  # keeps the second GEMM's masked rows finite (the row is discarded)
                    aux[s, j] = 0
                continue
            for j in range(2 * u):
                gates[s, j] = sigmoid_(hzr[s, j] + xw[s, j] + b[j])
            for j in range(u):
                aux[s, j] = gates[s, u + j] * hin[s, j]

    @numba.njit(**JIT)
    def forward_h(nh, xw, b, gates, prev, cur, m):  # pragma: no cover - compiled
        """reset_after=False, second half. nh (N, U) = aux @ R_h; gates[:, 2U:] ← n; cur ← the new state."""
        n, u = cur.shape
        for s in range(n):
            if m is not None and not m[s]:
                for j in range(u):
                    cur[s, j] = prev[s, j]
                continue
            for j in range(u):
                nn = tanh_(nh[s, j] + xw[s, 2 * u + j] + b[2 * u + j])
                gates[s, 2 * u + j] = nn
                cur[s, j] = nn + gates[s, j] * (prev[s, j] - nn)

    @numba.njit(**JIT)
    def backward_h(g, dgemm, rec, carry, gates, prev, dxw, m):  # pragma: no cover - compiled
        """reset_after=False, first half: dxw[:, 0:U] and dxw[:, 2U:] (the z and n pre-activations), carry ←
        dh * z. dgemm (N, U) = dxw[:, :2U] of the next step @ R_zr.T."""
        n, u = g.shape
        for s in range(n):
            masked = m is not None and not m[s]
            for j in range(u):
                dh = g[s, j] + carry[s, j] + (dgemm[s, j] * rec[s, j] if rec is not None else dgemm[s, j])
                if masked:
                    carry[s, j] = dh
                    continue
                z, nn = gates[s, j], gates[s, 2 * u + j]
                dxw[s, j] = dh * (prev[s, j] - nn) * (z - z * z)
                dxw[s, 2 * u + j] = dh * (one - z) * (one - nn * nn)
                carry[s, j] = dh * z
            if masked:
                for j in range(3 * u):
                    dxw[s, j] = 0

    @numba.njit(**JIT)
    def backward_r(drh, gates, hin, rec, carry, dxw, m):  # pragma: no cover - compiled
        """reset_after=False, second half. drh (N, U) = dxw[:, 2U:] @ R_h.T (the gradient of aux = r * h_in):
        dxw[:, U:2U] ← the r pre-activation's, carry += drh * r (* rec)."""
        n, u = drh.shape
        for s in range(n):
            if m is not None and not m[s]:
                continue
            for j in range(u):
                r = gates[s, u + j]
                d = drh[s, j]
                dxw[s, u + j] = d * hin[s, j] * (r - r * r)
                carry[s, j] += d * r * rec[s, j] if rec is not None else d * r

    return forward_after, backward_after, forward_zr, forward_h, backward_h, backward_r
