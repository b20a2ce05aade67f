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

    @numba.njit(inline="always", error_model="numpy")
    def _gather_dh(g, dgemm, rec, dh):  # pragma: no cover - compiled
        """dh (U,) += g + dgemm (* rec): the whole hidden-state gradient of this step (rows of one sample)."""
        if rec is not None:
            for j in range(dh.size):
                dh[j] += g[j] + dgemm[j] * rec[j]
        else:
            for j in range(dh.size):
                dh[j] += g[j] + dgemm[j]

    # Inner loops index 1-D views of one gate with the loop variable alone and write few arrays each: an
    # offset index (``2 * u + j``) or many written arrays per loop keep LLVM from vectorising (measured 2x).

    @numba.njit(**JIT)
    def forward_after(hr, xw, bi, br, gates, prev, cur, m):  # pragma: no cover - compiled
        """hr (N, 3U) = h_in @ R; xw (N, 3U) the input projection; bi / br (3U,) the input / recurrent bias;
        gates (N, 4U) ← [z | r | n | hr_h + br_h]; prev / cur (N, U) the hidden state before / after."""
        n, u = cur.shape
        bih, brh = bi[2 * u:], br[2 * u:]
        for s in range(n):
            hs, xs, gs, ps, cs = hr[s], xw[s], gates[s], prev[s], cur[s]
            if m is not None and not m[s]:
                cs[:] = ps
                continue
            for j in range(2 * u):
                gs[j] = sigmoid_(xs[j] + hs[j] + bi[j] + br[j])
            zg, rg, ng, ag = gs[:u], gs[u:2 * u], gs[2 * u:3 * u], gs[3 * u:]
            hh, xh = hs[2 * u:], xs[2 * u:]
            for j in range(u):
                a = hh[j] + brh[j]
                ag[j] = a
                nn = tanh_(xh[j] + bih[j] + rg[j] * a)
                ng[j] = nn
                cs[j] = nn + zg[j] * (ps[j] - nn)

    @numba.njit(**JIT)
    def backward_after(g, dgemm, rec, carry, gates, prev, dxw, drec, m):  # pragma: no cover - compiled
        """g (N, U) the output gradient of this step; dgemm (N, U) = drec of the next step @ R.T; carry (N, U)
        in/out; gates (N, 4U); prev (N, U) the previous hidden state; dxw (N, 3U) ← gradient of the input
        pre-activations, drec (N, 3U) ← of the recurrent ones (hr + br)."""
        n, u = g.shape
        for s in range(n):
            cs = carry[s]
            _gather_dh(g[s], dgemm[s], None if rec is None else rec[s], cs)  # carry ← dh of this step
            if m is not None and not m[s]:
                dxw[s, :] = 0
                drec[s, :] = 0
                continue
            zg, rg, ng, ag = gates[s, :u], gates[s, u:2 * u], gates[s, 2 * u:3 * u], gates[s, 3 * u:]
            dz, dr, dn = dxw[s, :u], dxw[s, u:2 * u], dxw[s, 2 * u:]
            ps, en = prev[s], drec[s, 2 * u:]
            for j in range(u):
                z, nn, dh = zg[j], ng[j], cs[j]
                dz[j] = dh * (ps[j] - nn) * (z - z * z)
                dn[j] = dh * (one - z) * (one - nn * nn)
            for j in range(u):
                r = rg[j]
                dr[j] = dn[j] * ag[j] * (r - r * r)
                en[j] = dn[j] * r
            drec[s, :2 * u] = dxw[s, :2 * u]
            for j in range(u):
                cs[j] *= zg[j]

    @numba.njit(**JIT)
    def forward_zr(hzr, xw, b, gates, hin, aux, m):  # pragma: no cover - compiled
        """reset_after=False, first half. hzr (N, 2U) = h_in @ R_zr; gates[:, :2U] ← z | r;
        aux (N, U) ← r * h_in (the input of the second GEMM)."""
        n, u = aux.shape
        for s in range(n):
            xs, gs, hs, ax = xw[s], gates[s], hin[s], aux[s]
            if m is not None and not m[s]:
                ax[:] = 0  # keeps the second GEMM's masked rows finite (the row is discarded)
                continue
            hz = hzr[s]
            for j in range(2 * u):
                gs[j] = sigmoid_(hz[j] + xs[j] + b[j])
            rg = gs[u:2 * u]
            for j in range(u):
                ax[j] = rg[j] * hs[j]

    @numba.njit(**JIT)
    def forward_h(nh, xw, b, gates, prev, cur, m):  # pragma: no cover - compiled
        """reset_after=False, second half. nh (N, U) = aux @ R_h; gates[:, 2U:] ← n; cur ← the new state."""
        n, u = cur.shape
        bh = b[2 * u:]
        for s in range(n):
            ps, cs = prev[s], cur[s]
            if m is not None and not m[s]:
                cs[:] = ps
                continue
            hs, xh, zg, ng = nh[s], xw[s, 2 * u:], gates[s, :u], gates[s, 2 * u:3 * u]
            for j in range(u):
                nn = tanh_(hs[j] + xh[j] + bh[j])
                ng[j] = nn
                cs[j] = nn + zg[j] * (ps[j] - nn)

    @numba.njit(**JIT)
    def backward_h(g, dgemm, rec, carry, gates, prev, dxw, m):  # pragma: no cover - compiled
        """reset_after=False, first half: dxw[:, 0:U] and dxw[:, 2U:] (the z and n pre-activations), carry ←
        dh * z. dgemm (N, U) = dxw[:, :2U] of the next step @ R_zr.T."""
        n, u = g.shape
        for s in range(n):
            cs = carry[s]
            _gather_dh(g[s], dgemm[s], None if rec is None else rec[s], cs)
            if m is not None and not m[s]:
                dxw[s, :] = 0
                continue
            zg, ng, ps = gates[s, :u], gates[s, 2 * u:3 * u], prev[s]
            dz, dn = dxw[s, :u], dxw[s, 2 * u:]
            for j in range(u):
                z, nn, dh = zg[j], ng[j], cs[j]
                dz[j] = dh * (ps[j] - nn) * (z - z * z)
                dn[j] = dh * (one - z) * (one - nn * nn)
            for j in range(u):
                cs[j] *= zg[j]

    @numba.njit(**JIT)
    def backward_r(drh, gates, hin, rec, carry, dxw, m):  # pragma: no cover - compiled
        """reset_after=False, second half. drh (N, U) = dxw[:, 2U:] @ R_h.T (the gradient of aux = r * h_in):
        dxw[:, U:2U] ← the r pre-activation's, carry += drh * r (* rec)."""
        n, u = drh.shape
        for s in range(n):
            if m is not None and not m[s]:
                continue
            d, rg, hs, cs, dr = drh[s], gates[s, u:2 * u], hin[s], carry[s], dxw[s, u:2 * u]
            for j in range(u):
                r = rg[j]
                dr[j] = d[j] * hs[j] * (r - r * r)
            if rec is not None:
                rs = rec[s]
                for j in range(u):
                    cs[j] += d[j] * rg[j] * rs[j]
            else:
                for j in range(u):
                    cs[j] += d[j] * rg[j]

    return forward_after, backward_after, forward_zr, forward_h, backward_h, backward_r
