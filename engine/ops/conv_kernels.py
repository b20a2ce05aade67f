"""Numba kernels for the CPU path of convolution and max pooling (float32, C-contiguous; CPU only).

Each kernel replaces several numpy passes over a large activation with one:

- ``bias_act``: the conv GEMM's output + bias, then relu, in place (numpy: two passes, the second slow).
- ``act_grad``: the relu mask applied to the incoming gradient and the bias gradient, in one pass.
- ``col2im``: the patch-matrix gradient added back into the input's (numpy: one strided add per kernel
  position; it beats kh * kw small GEMMs only when the adds are one fast pass).
- ``direct_fwd`` / ``direct_bwd``: a convolution with few input values per output (kh * kw * C small, as the
  first layer on a grey or RGB image): a 9-column patch matrix starves the GEMM, so the kernel loops over the
  taps with the filters as the vectorised inner loop, bias and relu fused; the backward pass computes the
  weight (and input) gradients from the masked gradient without a patch matrix.
- ``pool_fwd`` / ``pool_bwd``: max pooling in one pass, keeping the winner's offset (int8, the first maximum on
  ties as TensorFlow) only when a backward pass follows.

The loops over channels/filters are the innermost ones, contiguous in channels_last, so they vectorise.
Float32 sums over many pixels (bias and weight gradients) are added per image in float32 and across images in
float64. ``conv_kernels()`` returns None when numba is not importable; the ops then keep their xp path, which is
also the only path on the GPU and for other dtypes.
"""

from __future__ import annotations

import types

import numpy as np

_kernels: dict = {}


def conv_kernels():
    """A namespace of compiled kernels, or None without numba."""
    if "conv" not in _kernels:
        try:
            import numba  # noqa: PLC0415 - optional, CPU only; imported on first use
        except ImportError:
            _kernels["conv"] = None
            return None
        _kernels["conv"] = _build(numba)
    return _kernels["conv"]


def usable(*arrays) -> bool:
    """True when the kernels apply: numba importable and every array a float32 numpy array."""
    return all(type(a) is np.ndarray and a.dtype == np.float32 for a in arrays) and conv_kernels() is not None


def _build(numba):  # noqa: C901 - one closure per kernel
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    f32 = np.float32

    @jit
    def bias_act(out, b, has_bias, relu):  # pragma: no cover - compiled
        """out (M, F) in place: out + b, then max(., 0) (NaN stays NaN, as np.maximum)."""
        m, f = out.shape
        zero = f32(0.0)
        for r in range(m):
            row = out[r]
            for j in range(f):
                v = row[j] + b[j] if has_bias else row[j]
                row[j] = zero if relu and v < zero else v

    @jit
    def act_grad(g, out, gm, db, rows_per_block, relu, want_db):  # pragma: no cover - compiled
        """gm = g * (out > 0) when relu (else gm is g), db = column sums of gm (float32 per block of rows,
        float64 across blocks). g, out, gm (M, F); db (F,) float64, zeroed here."""
        m, f = g.shape
        zero = f32(0.0)
        part = np.zeros(f, dtype=np.float32)
        db[:] = 0.0
        for r in range(m):
            gr, gmr = g[r], gm[r]
            if relu:
                orow = out[r]
                for j in range(f):
                    gmr[j] = gr[j] if orow[j] > zero else zero
            if want_db:
                for j in range(f):
                    part[j] += gmr[j]
                if (r + 1) % rows_per_block == 0 or r == m - 1:
                    for j in range(f):
                        db[j] += part[j]
                        part[j] = zero

    @jit
    def col2im(cols, dx, kh, kw, sh, sw, dh, dw):  # pragma: no cover - compiled
        """dx (N, Hp, Wp, C), zeroed by the caller, += the patches of cols (N * OH * OW, kh * kw * C), column
        order (i, j, c). Copied in runs of kw * C values (one kernel row; C without dilation along the width)
        through 1-D slices: a loop index known to be >= 0 vectorises (7x faster than per-element indexing)."""
        n, hp, wp, c = dx.shape
        ow = (wp - (kw - 1) * dw - 1) // sw + 1
        oh = cols.shape[0] // n // ow
        xf = dx.reshape(n, hp, wp * c)
        run = kw * c if dw == 1 else c
        step = kw if dw == 1 else 1
        r = 0
        for b in range(n):
            for oy in range(oh):
                for ox in range(ow):
                    row = cols[r]
                    o = 0
                    for i in range(kh):
                        xr = xf[b, oy * sh + i * dh]
                        for j in range(0, kw, step):
                            s0 = (ox * sw + j * dw) * c
                            dst = xr[s0:s0 + run]
                            src = row[o:o + run]
                            for q in range(run):
                                dst[q] += src[q]
                            o += run
                    r += 1

    @jit
    def direct_fwd(x, w, b, out, sh, sw, dh, dw, has_bias, relu):  # pragma: no cover - compiled
        """x (N, Hp, Wp, C) padded, w (kh, kw, C, F) → out (N, OH, OW, F), bias and relu fused. One output row
        (OW * F values, in L1) at a time, each tap added to all of it: the filter loop vectorises (a
        per-pixel accumulator measured 1.6x slower)."""
        n, oh, ow, f = out.shape
        kh, kw, c, _ = w.shape
        zero = f32(0.0)
        for b_ in range(n):
            for oy in range(oh):
                o = out[b_, oy]
                for ox in range(ow):
                    for j in range(f):
                        o[ox, j] = b[j] if has_bias else zero
                for i in range(kh):
                    xr = x[b_, oy * sh + i * dh]
                    for jj in range(kw):
                        for ch in range(c):
                            wr = w[i, jj, ch]
                            for ox in range(ow):
                                v = xr[ox * sw + jj * dw, ch]
                                for j in range(f):
                                    o[ox, j] += v * wr[j]
                if relu:
                    for ox in range(ow):
                        for j in range(f):
                            if o[ox, j] < zero:
                                o[ox, j] = zero

    @jit
    def direct_bwd(x, w, g, out, dw_out, db_out, dx, sh, sw, dh, dw, relu, need_w, need_b,  # pragma: no cover
                   need_x):
        """g (N, OH, OW, F) the gradient at the conv's output, masked here by ``out > 0`` when ``relu`` →
        dw_out (kh, kw, C, F) and db_out (F,) float64 (zeroed here), dx (N, Hp, Wp, C) float32 (zeroed by the
        caller, added to). Row by row as ``direct_fwd``."""
        n, oh, ow, f = g.shape
        kh, kw, c, _ = w.shape
        zero = f32(0.0)
        gm = np.empty((ow, f), dtype=np.float32)
        part = np.zeros((kh, kw, c, f), dtype=np.float32)
        pb = np.zeros(f, dtype=np.float32)
        dw_out[...] = 0.0
        db_out[...] = 0.0
        for b_ in range(n):
            for oy in range(oh):
                gr = g[b_, oy]
                if relu:
                    orow = out[b_, oy]
                    for ox in range(ow):
                        for j in range(f):
                            gm[ox, j] = gr[ox, j] if orow[ox, j] > zero else zero
                else:
                    for ox in range(ow):
                        for j in range(f):
                            gm[ox, j] = gr[ox, j]
                if need_b:
                    for ox in range(ow):
                        for j in range(f):
                            pb[j] += gm[ox, j]
                for i in range(kh):
                    y = oy * sh + i * dh
                    for jj in range(kw):
                        for ch in range(c):
                            if need_w:
                                pr = part[i, jj, ch]
                                for ox in range(ow):
                                    v = x[b_, y, ox * sw + jj * dw, ch]
                                    for j in range(f):
                                        pr[j] += v * gm[ox, j]
                            if need_x:
                                wr = w[i, jj, ch]
                                for ox in range(ow):
                                    s = zero
                                    for j in range(f):
                                        s += wr[j] * gm[ox, j]
                                    dx[b_, y, ox * sw + jj * dw, ch] += s
            # one image's float32 sums into the float64 totals
            if need_w:
                for i in range(kh):
                    for jj in range(kw):
                        for ch in range(c):
                            for j in range(f):
                                dw_out[i, jj, ch, j] += part[i, jj, ch, j]
                                part[i, jj, ch, j] = zero
            if need_b:
                for j in range(f):
                    db_out[j] += pb[j]
                    pb[j] = zero

    @jit
    def pool_fwd(x, out, idx, ph, pw, sh, sw, track):  # pragma: no cover - compiled
        """Max over each (ph, pw) window of x (N, Hp, Wp, C) (padded with -inf) → out (N, OH, OW, C);
        idx the winner's offset i * pw + j (the first maximum; a NaN wins and stays) when ``track``."""
        n, oh, ow, c = out.shape
        for b in range(n):
            for oy in range(oh):
                for ox in range(ow):
                    o = out[b, oy, ox]
                    src = x[b, oy * sh, ox * sw]
                    for ch in range(c):
                        o[ch] = src[ch]
                    if track:
                        ir = idx[b, oy, ox]
                        for ch in range(c):
                            ir[ch] = 0
                    for k in range(1, ph * pw):
                        src = x[b, oy * sh + k // pw, ox * sw + k % pw]
                        if track:
                            for ch in range(c):
                                v = src[ch]
                                if v > o[ch] or (v != v and o[ch] == o[ch]):
                                    o[ch] = v
                                    ir[ch] = k
                        else:
                            for ch in range(c):
                                v = src[ch]
                                if v > o[ch] or v != v:
                                    o[ch] = v

    @jit
    def pool_bwd(g, idx, dx, ph, pw, sh, sw, assign):  # pragma: no cover - compiled
        """dx (N, Hp, Wp, C) gets g (N, OH, OW, C) at each window's winner: assigned (disjoint windows; every
        other element of each window set to 0) or added (overlapping windows; dx zeroed by the caller)."""
        n, oh, ow, c = g.shape
        zero = f32(0.0)
        for b in range(n):
            for oy in range(oh):
                for ox in range(ow):
                    gr, ir = g[b, oy, ox], idx[b, oy, ox]
                    for k in range(ph * pw):
                        dst = dx[b, oy * sh + k // pw, ox * sw + k % pw]
                        if assign:
                            for ch in range(c):
                                dst[ch] = gr[ch] if ir[ch] == k else zero
                        else:
                            for ch in range(c):
                                dst[ch] += gr[ch] if ir[ch] == k else zero

    return types.SimpleNamespace(bias_act=bias_act, act_grad=act_grad, col2im=col2im,
                                 direct_fwd=direct_fwd, direct_bwd=direct_bwd, pool_fwd=pool_fwd, pool_bwd=pool_bwd)
