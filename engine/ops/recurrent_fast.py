"""The numba paths of the fused recurrent ops (float32 numpy arrays, tanh/sigmoid; CPU only).

Each function is called by the op (``engine.ops.recurrent``) with itself as ``op`` and keeps on it what its
backward needs, as the numpy step loop does. Per time step: one GEMM (BLAS) for all gates (GRU with
reset_after=False: two, as its maths requires) and one numba kernel for the elementwise work, bias and mask
included, so the input projection of all steps is one GEMM with no pass over it afterwards. Backward through
time: one kernel and one GEMM per step (reset_after=False: two of each), then one GEMM per weight gradient.
Inference (no gradient wanted) keeps one step's scratch instead of every step's gates, and with ``last_only``
two steps' states instead of every step's.
"""

from __future__ import annotations

import numpy

from engine.backend import xp_of
from engine.ops.recurrent_kernels import kernels


def usable(op, name, arrays):
    """The kernels ``name`` when ``op`` may use them on ``arrays`` (all float32 numpy), else None."""
    if not op.use_kernels or not all(isinstance(a, numpy.ndarray) and a.dtype == numpy.float32 for a in arrays):
        return None
    return kernels(name)


def _step_mask(op, s):
    return None if op.mask is None else op.mask[s, :, 0]


def _bias_or_zeros(xp, bias, size, dtype):
    return xp.zeros(size, dtype=dtype) if bias is None else xp.ascontiguousarray(bias, dtype=dtype)


def _state_buffer(xp, t, n, width, dtype, keep, last_only):
    """(T, N, width) states, or (2, N, width) used in turn when only the last step is wanted and nothing is
    kept for a backward pass (the last step lands in ``[-1]``); → (buffer, index of step s)."""
    if last_only and not keep and t > 2:
        return xp.empty((2, n, width), dtype=dtype), lambda s: (s - t) % 2
    return xp.empty((t, n, width), dtype=dtype), lambda s: s


def _grad_steps(op, grad, t):
    """The output gradient per step, time-major: a (T, N, C) array, or (``last_only``) a list whose last entry
    is ``grad`` and the others one shared zero array."""
    xp = xp_of(grad)
    if op.last_only:
        zero = xp.zeros(grad.shape, dtype=op.out.dtype)
        return [zero] * (t - 1) + [xp.ascontiguousarray(grad, dtype=op.out.dtype)]
    return xp.ascontiguousarray(grad.transpose(1, 0, 2), dtype=op.out.dtype)


def _dh0(dgemm, carry, rec_mask):
    """The gradient of the initial hidden state: the last GEMM's (through recurrent dropout) plus the carry."""
    dh0 = dgemm * rec_mask if rec_mask is not None else dgemm
    return dh0 + carry if carry is not None else dh0


# ---------------------------------------------------------------- LSTM


def lstm_forward(op, ks, x, h0, c0, kernel, rkernel, bias, mask, rec_mask, go_backwards, keep, last_only):
    """→ out (T, N, 2U) time-major [h | c] (its last entry is the last step's)."""
    xp = xp_of(x)
    n, t, _ = x.shape
    u = rkernel.shape[0]
    dtype = x.dtype
    g2 = slice(2 * u, 3 * u)  # the kernel takes 2a for the tanh gate (see recurrent_kernels)
    k2, rk, b = kernel.copy(), rkernel.copy(), _bias_or_zeros(xp, bias, 4 * u, dtype).copy()
    k2[:, g2] *= 2.0
    rk[:, g2] *= 2.0
    b[g2] *= 2.0
    _, xw = op._prepare(x, k2, None, mask, go_backwards)
    op.kernel = kernel  # dx goes through the unscaled kernel
    gates = xp.empty((t if keep else 1, n, 4 * u), dtype=dtype)
    tcs = xp.empty((t if keep else 1, n, u), dtype=dtype)
    out, at = _state_buffer(xp, t, n, 2 * u, dtype, keep, last_only)
    first = xp.empty((n, 2 * u), dtype=dtype)  # [h0 | c0]
    first[:, :u], first[:, u:] = h0, c0
    step = ks[0]
    prev = first
    with op.one_blas_thread(xp):
        for s in range(t):
            k = s if keep else 0
            z = gates[k]
            hin = prev[:, :u]
            if rec_mask is not None:
                hin = hin * rec_mask
            xp.matmul(hin, rk, out=z)
            cur = out[at(s)]
            step(z, xw[s], b, prev, cur, tcs[k], _step_mask(op, s))
            prev = cur
    op.h0, op.c0, op.rkernel, op.rec_mask, op.has_bias = h0, c0, rkernel, rec_mask, bias is not None
    op.gates, op.tcs, op.out = (gates, tcs, out) if keep else (None, None, None)
    op.first, op.kernels = first, ks
    return out


def lstm_backward(op, grad):
    """→ (dz_all (T, N, 4U), dh0, dc0)."""
    xp = xp_of(grad)
    step = op.kernels[1]
    t, n, u2 = op.out.shape
    u = u2 // 2
    g = _grad_steps(op, grad, t)  # (T, N, 2U)
    dz_all = xp.empty_like(op.gates)
    dtype = op.out.dtype
    dgemm = xp.zeros((n, u), dtype=dtype)
    dc = xp.zeros((n, u), dtype=dtype)
    carry = None if op.mask is None else xp.zeros((n, u), dtype=dtype)
    rk_t = xp.ascontiguousarray(op.rkernel.T, dtype=dtype)
    with op.one_blas_thread(xp):
        for s in range(t - 1, -1, -1):
            prev = op.out[s - 1] if s else op.first
            step(g[s], dgemm, op.rec_mask, carry, dc, op.gates[s], op.tcs[s], prev, dz_all[s], _step_mask(op, s))
            xp.matmul(dz_all[s], rk_t, out=dgemm)
    return dz_all, _dh0(dgemm, carry, op.rec_mask), dc


# ---------------------------------------------------------------- GRU


def gru_forward(op, ks, x, h0, kernel, rkernel, b_in, b_rec, mask, rec_mask, go_backwards, reset_after, keep,
                last_only):
    """→ out (T, N, U) time-major hidden states (its last entry is the last step's)."""
    xp = xp_of(x)
    n, t, _ = x.shape
    u = rkernel.shape[0]
    dtype = x.dtype
    _, xw = op._prepare(x, kernel, None, mask, go_backwards)
    b_in = _bias_or_zeros(xp, b_in, 3 * u, dtype)
    out, at = _state_buffer(xp, t, n, u, dtype, keep, last_only)
    steps = t if keep else 1
    prev = xp.ascontiguousarray(h0, dtype=dtype)
    aux = r_zr = r_h = None
    with op.one_blas_thread(xp):
        if reset_after:
            b_rec = _bias_or_zeros(xp, b_rec, 3 * u, dtype)
            gates = xp.empty((steps, n, 4 * u), dtype=dtype)
            hr = xp.empty((n, 3 * u), dtype=dtype)
            for s in range(t):
                k = s if keep else 0
                hin = prev * rec_mask if rec_mask is not None else prev
                xp.matmul(hin, rkernel, out=hr)
                cur = out[at(s)]
                ks[0](hr, xw[s], b_in, b_rec, gates[k], prev, cur, _step_mask(op, s))
                prev = cur
        else:
            forward_zr, forward_h = ks[2], ks[3]
            gates = xp.empty((steps, n, 3 * u), dtype=dtype)
            aux = xp.empty((steps, n, u), dtype=dtype)
            hzr, nh = xp.empty((n, 2 * u), dtype=dtype), xp.empty((n, u), dtype=dtype)
            r_zr, r_h = xp.ascontiguousarray(rkernel[:, :2 * u]), xp.ascontiguousarray(rkernel[:, 2 * u:])
            for s in range(t):
                k = s if keep else 0
                hin = prev * rec_mask if rec_mask is not None else prev
                m = _step_mask(op, s)
                xp.matmul(hin, r_zr, out=hzr)
                forward_zr(hzr, xw[s], b_in, gates[k], hin, aux[k], m)
                xp.matmul(aux[k], r_h, out=nh)
                cur = out[at(s)]
                forward_h(nh, xw[s], b_in, gates[k], prev, cur, m)
                prev = cur
    op.h0, op.rkernel, op.rec_mask, op.reset_after = h0, rkernel, rec_mask, reset_after
    op.gates, op.aux, op.out = (gates, aux, out) if keep else (None, None, None)
    op.r_zr, op.r_h, op.kernels = r_zr, r_h, ks
    return out


def gru_backward(op, grad):
    """→ (dxw (T, N, 3U), drec (T, N, 3U) or None (reset_after=False), dh0)."""
    xp = xp_of(grad)
    ks = op.kernels
    t, n, u = op.out.shape
    g = _grad_steps(op, grad, t)
    dtype = op.out.dtype
    dxw = xp.empty((t, n, 3 * u), dtype=dtype)
    dgemm = xp.zeros((n, u), dtype=dtype)
    carry = xp.zeros((n, u), dtype=dtype)
    rec = op.rec_mask
    drec = None
    with op.one_blas_thread(xp):
        if op.reset_after:
            drec = xp.empty((t, n, 3 * u), dtype=dtype)
            rk_t = xp.ascontiguousarray(op.rkernel.T)
            for s in range(t - 1, -1, -1):
                prev = op.out[s - 1] if s else op.h0
                ks[1](g[s], dgemm, rec, carry, op.gates[s], prev, dxw[s], drec[s], _step_mask(op, s))
                xp.matmul(drec[s], rk_t, out=dgemm)
        else:
            backward_h, backward_r = ks[4], ks[5]
            rzr_t, rh_t = xp.ascontiguousarray(op.r_zr.T), xp.ascontiguousarray(op.r_h.T)
            drh = xp.empty((n, u), dtype=dtype)
            for s in range(t - 1, -1, -1):
                prev = op.out[s - 1] if s else op.h0
                hin = prev * rec if rec is not None else prev
                m = _step_mask(op, s)
                backward_h(g[s], dgemm, rec, carry, op.gates[s], prev, dxw[s], m)
                xp.matmul(dxw[s, :, 2 * u:], rh_t, out=drh)
                backward_r(drh, op.gates[s], hin, rec, carry, dxw[s], m)
                xp.matmul(dxw[s, :, :2 * u], rzr_t, out=dgemm)
    return dxw, drec, _dh0(dgemm, carry, rec)


# ---------------------------------------------------------------- SimpleRNN


def rnn_forward(op, ks, x, h0, kernel, rkernel, bias, mask, rec_mask, go_backwards, keep, last_only):
    """→ out (T, N, U) time-major hidden states (its last entry is the last step's)."""
    xp = xp_of(x)
    n, t, _ = x.shape
    u = rkernel.shape[0]
    dtype = x.dtype
    _, xw = op._prepare(x, kernel, None, mask, go_backwards)
    b = _bias_or_zeros(xp, bias, u, dtype)
    out, at = _state_buffer(xp, t, n, u, dtype, keep, last_only)
    masked = op.mask is not None
    new = xp.empty((t if keep else 1, n, u), dtype=dtype) if masked else out  # tanh before masking
    a = xp.empty((n, u), dtype=dtype)
    prev = xp.ascontiguousarray(h0, dtype=dtype)
    with op.one_blas_thread(xp):
        for s in range(t):
            hin = prev * rec_mask if rec_mask is not None else prev
            xp.matmul(hin, rkernel, out=a)
            cur = out[at(s)]
            ks[0](a, xw[s], b, prev, (new[s if keep else 0] if masked else cur), cur, _step_mask(op, s))
            prev = cur
    op.h0, op.rkernel, op.rec_mask, op.has_bias = h0, rkernel, rec_mask, bias is not None
    op.new, op.out = (new, out) if keep else (None, None)
    op.kernels = ks
    return out


def rnn_backward(op, grad):
    """→ (da_all (T, N, U), dh0)."""
    xp = xp_of(grad)
    t, n, u = op.out.shape
    g = _grad_steps(op, grad, t)
    dtype = op.out.dtype
    da_all = xp.empty((t, n, u), dtype=dtype)
    dgemm = xp.zeros((n, u), dtype=dtype)
    carry = None if op.mask is None else xp.zeros((n, u), dtype=dtype)
    rk_t = xp.ascontiguousarray(op.rkernel.T)
    step = op.kernels[1]
    with op.one_blas_thread(xp):
        for s in range(t - 1, -1, -1):
            step(g[s], dgemm, op.rec_mask, carry, op.new[s], da_all[s], _step_mask(op, s))
            xp.matmul(da_all[s], rk_t, out=dgemm)
    return da_all, _dh0(dgemm, carry, op.rec_mask)
