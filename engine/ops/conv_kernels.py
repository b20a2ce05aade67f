"""Numba kernels for the CPU path of convolution and max pooling (float32, C-contiguous; CPU only).

Conv2D's CPU path is patches + GEMM, a few images at a time (see ``engine.ops.conv.Conv2D``); these kernels
do the memory-bound work around numpy's BLAS in one pass each:

- ``im2col``: the patches of a few images into one cache-sized buffer (numpy's strided copy of a 6-D view
  moves C values at a time; for a grey image the kernel copies column by column down an output row).
- ``bias_act``: the GEMM's output + bias, then relu, in place (numpy: two passes, the second slow).
- ``relu_grad``: the relu mask on the incoming gradient, as one flat loop.
- ``col2im``: the patch gradients added back into the input's (numpy: one strided add per kernel position).
- ``pool_fwd`` / ``pool_bwd``: max pooling in one pass, keeping the winner's offset (int8, the first maximum on
  ties as TensorFlow) only when a backward pass follows.

Copies run over 1-D slices with a loop index known to be >= 0: such loops vectorise (per-element indexing with
computed indices does not; measured 7x). ``conv_kernels()`` returns None when numba is not importable; the
ops then keep their xp path, which is also the only path on the GPU and for other dtypes. ``scratch`` hands out
reused work buffers for temporaries that never leave an op; ``over_images`` splits a kernel call over the
engine's threads (``engine.backend.engine_threads``) by image ranges.
"""

from __future__ import annotations

import math
import threading
import types

import numpy as np

from engine import backend, parallel

_kernels: dict = {}
_local = threading.local()


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


# A kernel call over at least this many values is split over the engine's threads. CNN workload at 2 threads,
# min of 15 steps, medians of 5 (load average ~2): 2^16 vs no split, training step 16.9 vs 20.0 ms, predict
# 4.7 vs 4.8 ms; 2^20: 18.1 / 5.1 ms. Wall-clock at 2 threads moves with the neighbours' load; re-measure.
SPLIT_MIN = 1 << 16


def threads() -> int:
    """The engine's thread setting (``engine.backend.engine_threads``; ~20 us: ask once per op call)."""
    return backend.engine_threads()


def over_images(n: int, values: int, call, nthreads: int) -> None:
    """``call(b0, b1)`` for image ranges covering ``range(n)``: one range per thread (``nthreads``; the caller
    runs the first) when the call touches at least ``SPLIT_MIN`` values, else one call. The kernels are GIL-free
    and each image is written by one range only."""
    parts = min(n, nthreads) if values >= SPLIT_MIN else 1
    if parts <= 1:
        call(0, n)
        return
    pool = parallel.thread_pool("conv", parts - 1)
    bounds = [n * p // parts for p in range(parts + 1)]
    futures = [pool.submit(call, bounds[p], bounds[p + 1]) for p in range(1, parts)]
    try:
        call(bounds[0], bounds[1])
    finally:
        for future in futures:
            future.result()


SCRATCH_MAX = 1 << 26  # bytes: a larger work buffer is allocated per call, not kept for the thread's lifetime


def scratch(name: str, shape) -> np.ndarray:
    """A float32 work buffer of ``shape`` that never leaves the op, reused across calls on this thread: a fresh
    multi-MB array costs a page fault per 4 KiB page on first touch (measured: it doubled a conv's backward).
    Buffers above ``SCRATCH_MAX`` are not kept (a worker would hold them between trainings)."""
    size = math.prod(shape)
    if size * 4 > SCRATCH_MAX:
        return np.empty(shape, np.float32)
    bufs = _local.__dict__.setdefault("bufs", {})
    buf = bufs.get(name)
    if buf is None or buf.size < size:
        buf = bufs[name] = np.empty(size, np.float32)
    return buf[:size].reshape(shape)


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
    def relu_grad(g, out, gm):  # pragma: no cover - compiled
        """gm = g where out > 0, else 0 (same shapes, C-contiguous): one flat loop (a row loop over 32 filters
        runs below the vector loop's width)."""
        gf, of, mf = g.ravel(), out.ravel(), gm.ravel()
        zero = f32(0.0)
        for q in range(gf.size):
            mf[q] = gf[q] if of[q] > zero else zero

    @jit
    def im2col(x, cols, kh, kw, sh, sw, dh, dw):  # pragma: no cover - compiled
        """cols (N * OH * OW, kh * kw * C), column order (i, j, c), ← the patches of x (N, Hp, Wp, C), padded.
        Copied in runs as ``col2im`` (numpy's strided copy moves C values at a time: slow for small C)."""
        n, hp, wp, c = x.shape
        ow = (wp - (kw - 1) * dw - 1) // sw + 1
        oh = cols.shape[0] // n // ow
        xf = x.reshape(n, hp, wp * c)
        run = kw * c if dw == 1 else c
        step = kw if dw == 1 else 1
        r = 0
        for b in range(n):
            for oy in range(oh):
                if run < 8:  # short runs (a grey image): column by column down one output row, 2x faster
                    blk = cols[r:r + ow]
                    t = 0
                    for i in range(kh):
                        xr = xf[b, oy * sh + i * dh]
                        for j in range(kw):
                            for ch in range(c):
                                base = j * dw * c + ch
                                for ox in range(ow):
                                    blk[ox, t] = xr[base + ox * sw * c]
                                t += 1
                    r += ow
                    continue
                for ox in range(ow):
                    row = cols[r]
                    o = 0
                    for i in range(kh):
                        xr = xf[b, oy * sh + i * dh]
                        for j in range(0, kw, step):
                            s0 = (ox * sw + j * dw) * c
                            dst = row[o:o + run]
                            src = xr[s0:s0 + run]
                            for q in range(run):
                                dst[q] = src[q]
                            o += run
                    r += 1

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

    return types.SimpleNamespace(bias_act=bias_act, relu_grad=relu_grad, im2col=im2col, col2im=col2im,
                                 pool_fwd=pool_fwd, pool_bwd=pool_bwd)
