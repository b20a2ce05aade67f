"""Fused recurrent layers: SimpleRNN, LSTM and GRU over a whole sequence, hand-written backward through time.

Each op projects the inputs of ALL time steps in one GEMM (``x @ kernel + bias``), then runs one GEMM per
step for all gates (two for GRU with reset_after=False, as its maths requires), and keeps what the backward
pass needs in preallocated time-major buffers. The backward pass runs the steps in reverse with one GEMM per
step and computes the kernel, recurrent-kernel and bias gradients afterwards with one GEMM each.

The maths follow Keras exactly (FORMAT.md §8): LSTM gates i, f, c, o; GRU gates z, r, h with
``h = z * h_prev + (1 - z) * n``. Options shared by the ops:

- ``mask`` (N, T) bool: at a masked step the states are carried over unchanged (Keras' ``backend.rnn``).
- ``rec_mask`` (N, U): recurrent dropout, applied to the previous hidden state inside the recurrent
  product(s) only.
- ``go_backwards``: run from the last step to the first; outputs are in processing order (as Keras).
- ``activation`` / ``recurrent_activation``: names in ``ACTIVATIONS`` below (the layers fall back to a
  per-step autograd loop for other functions).

float32 numpy arrays with tanh (and sigmoid gates) run the per-step elementwise work in numba kernels
(``recurrent_fast``, ``recurrent_kernels*``); the numpy step loop below is the reference and serves CuPy,
float64 and the other activations.

Outputs are batch-major: LSTM → (N, T, 2U) with h in ``[..., :U]`` and c in ``[..., U:]`` (one array so that
gradients can reach both states); GRU and SimpleRNN → (N, T, U) hidden states. ``last_only=True`` returns the
last processed step alone ((N, 2U) / (N, U)): no (N, T, ·) gradient is built for a layer that does not
return sequences, and inference keeps two steps' states instead of all.
"""

from __future__ import annotations

import contextlib

from engine.autograd import Function, Tensor, is_grad_enabled
from engine.backend import blas_threads, xp_of
from engine.ops import recurrent_fast as F


def _one_blas_thread(xp):
    """The per-step GEMMs are small ((N, U) x (U, 4U)): extra BLAS threads only add synchronisation, and
    stall badly when another process holds a core. Limit BLAS to one thread for the step loops (CPU only);
    the big input projection and weight-gradient GEMMs outside the loops keep every thread."""
    return blas_threads(1) if xp.__name__ == "numpy" else contextlib.nullcontext()


# ---- activations applied in place on an array view, and their derivatives computed from the output y
def _sigmoid_(v):
    """0.5 * tanh(v / 2) + 0.5: one transcendental (numpy's float32 tanh is 3x faster than expit here)."""
    v *= 0.5
    xp_of(v).tanh(v, out=v)
    v *= 0.5
    v += 0.5
    return v


def _hard_sigmoid_(v):
    v *= 1.0 / 6.0
    v += 0.5
    return xp_of(v).clip(v, 0.0, 1.0, out=v)


ACTIVATIONS = {
    "tanh": (lambda v: xp_of(v).tanh(v, out=v), lambda y: 1.0 - y * y),
    "sigmoid": (_sigmoid_, lambda y: y * (1.0 - y)),
    "hard_sigmoid": (_hard_sigmoid_, lambda y: ((y > 0) & (y < 1)) * y.dtype.type(1.0 / 6.0)),
    "relu": (lambda v: xp_of(v).maximum(v, 0.0, out=v), lambda y: (y > 0).astype(y.dtype)),
    "linear": (lambda v: v, lambda y: xp_of(y).ones_like(y)),
}


def _acts(activation, recurrent_activation):
    try:
        return ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
    except KeyError as e:
        raise ValueError(f"Fused recurrent ops support activations {sorted(ACTIVATIONS)}. "
                         f"Received: {e.args[0]!r}") from None


class _Recurrent(Function):
    """Shared plumbing: time-major inputs, the input projection and its backward.

    ``use_kernels=False`` forces the numpy step loop; otherwise float32 numpy arrays with the default
    activations run the numba path (``recurrent_fast``). CuPy arrays, float64 and other activations always
    take the numpy step loop."""

    use_kernels = True
    one_blas_thread = staticmethod(_one_blas_thread)

    def _prepare(self, x, kernel, bias_row, mask, go_backwards):
        xp = xp_of(x)
        n, t, d = x.shape
        xs = x.transpose(1, 0, 2)  # (T, N, D)
        if go_backwards:
            xs = xs[::-1]
        xs = xp.ascontiguousarray(xs).reshape(t * n, d)
        xw = xs @ kernel
        if bias_row is not None:
            xw += bias_row
        self.xs, self.kernel, self.go_backwards = xs, kernel, go_backwards
        self.shape = (n, t, d)
        if mask is not None:
            mask = xp.asarray(mask).astype(bool).T  # (T, N)
            if go_backwards:
                mask = mask[::-1]
            mask = xp.ascontiguousarray(mask)[:, :, None]
        self.mask = mask
        return xs, xw.reshape(t, n, -1)

    def _input_grads(self, dxw):
        """dxw (T, N, G) → dx (N, T, D), dkernel (D, G), dbias (G,)."""
        t, n, gsize = dxw.shape
        d2 = dxw.reshape(t * n, gsize)
        dx = None
        if self.needs_input_grad[0]:
            dx = (d2 @ self.kernel.T).reshape(t, n, -1)
            if self.go_backwards:
                dx = dx[::-1]
            dx = dx.transpose(1, 0, 2)
        return dx, self.xs.T @ d2, d2.sum(axis=0)

    @staticmethod
    def _to_batch_major(out_tm):
        return xp_of(out_tm).ascontiguousarray(out_tm.transpose(1, 0, 2))

    def _output(self, out_tm, last_only):
        """The op's output from the time-major states: all steps batch-major, or the last step's copy."""
        self.last_only = last_only
        return out_tm[-1].copy() if last_only else out_tm.transpose(1, 0, 2)

    def _grad_tm(self, grad, t):
        """The output gradient time-major (T, N, C) (a view unless ``last_only``)."""
        if not self.last_only:
            return grad.transpose(1, 0, 2)
        g = xp_of(grad).zeros((t, *grad.shape), dtype=grad.dtype)
        g[-1] = grad
        return g


def _carry(xp, m, new, old):
    """Masked step: keep the old state where the mask is False."""
    return xp.where(m, new, old)


class LSTM(_Recurrent):
    """parents: x (N, T, D), h0 (N, U), c0 (N, U), kernel (D, 4U), recurrent_kernel (U, 4U)[, bias (4U,)].

    Without gradients (inference) the gates are not kept per step."""

    def forward(self, x, h0, c0, kernel, rkernel, *bias, mask=None, rec_mask=None, go_backwards=False,
                activation="tanh", recurrent_activation="sigmoid", last_only=False):
        xp = xp_of(x)
        (act, _), (ract, _) = self.acts = _acts(activation, recurrent_activation)
        n, t, _ = x.shape
        u = rkernel.shape[0]
        keep = is_grad_enabled() and any(self.needs_input_grad)
        ks = None
        if activation == "tanh" and recurrent_activation == "sigmoid":
            ks = F.usable(self, "lstm", (x, h0, c0, kernel, rkernel, *bias))
        if ks is not None:
            out = F.lstm_forward(self, ks, x, h0, c0, kernel, rkernel, bias[0] if bias else None, mask, rec_mask,
                                 go_backwards, keep, last_only)
            return self._output(out, last_only)
        _, xw = self._prepare(x, kernel, bias[0] if bias else None, mask, go_backwards)
        fast = activation == "tanh" and recurrent_activation == "sigmoid"
        rk = rkernel
        if fast:  # fold -1 (sigmoid gates) and -2 (the tanh gate) into the projections: one exp per step
            scale = xp.full(4 * u, -1.0, dtype=x.dtype)
            scale[2 * u:3 * u] = -2.0
            xw *= scale
            rk = rkernel * scale
        gates = xp.empty((t if keep else 1, n, 4 * u), dtype=x.dtype)  # inference: one scratch step
        tcs = xp.empty((t if keep else 1, n, u), dtype=x.dtype)
        out = xp.empty((t, n, 2 * u), dtype=x.dtype)  # h | c per step (carried states)
        h, c = h0, c0
        with _one_blas_thread(xp):
            for s in range(t):
                hin = h * rec_mask if rec_mask is not None else h
                z = gates[s if keep else 0]
                xp.matmul(hin, rk, out=z)
                z += xw[s]
                if fast:  # sigmoid(a) = 1 / (1 + exp(-a)), tanh(a) = 2 sigmoid(2a) - 1 (exp beats tanh 2x)
                    xp.exp(z, out=z)
                    z += 1.0
                    xp.reciprocal(z, out=z)
                    v = z[:, 2 * u:3 * u]
                    v *= 2.0
                    v -= 1.0
                else:
                    ract(z[:, :2 * u])
                    act(z[:, 2 * u:3 * u])
                    ract(z[:, 3 * u:])
                if self.mask is None:  # write c, tanh(c) and h straight into their buffers
                    c_new, tc = out[s, :, u:], tcs[s if keep else 0]
                    xp.multiply(z[:, u:2 * u], c, out=c_new)
                    c_new += z[:, :u] * z[:, 2 * u:3 * u]
                    if activation == "tanh":
                        xp.tanh(c_new, out=tc)
                    else:
                        xp.copyto(tc, c_new)
                        act(tc)
                    xp.multiply(z[:, 3 * u:], tc, out=out[s, :, :u])
                else:
                    c_new = z[:, u:2 * u] * c
                    c_new += z[:, :u] * z[:, 2 * u:3 * u]
                    tc = tcs[s if keep else 0]
                    xp.copyto(tc, c_new)
                    act(tc)
                    h_new = z[:, 3 * u:] * tc
                    out[s, :, :u] = _carry(xp, self.mask[s], h_new, h)
                    out[s, :, u:] = _carry(xp, self.mask[s], c_new, c)
                h, c = out[s, :, :u], out[s, :, u:]
        self.h0, self.c0, self.rkernel, self.rec_mask = h0, c0, rkernel, rec_mask
        self.gates, self.tcs, self.out, self.has_bias = gates, tcs, out, bool(bias)
        self.fast, self.kernels = fast, None
        return self._output(out, last_only)

    def backward(self, grad):
        xp = xp_of(grad)
        (_, dact), (_, dract) = self.acts
        t, n, u2 = self.out.shape
        u = u2 // 2
        if self.kernels is not None:
            dz_all, dh_next, dc_next = F.lstm_backward(self, grad)
            return self._weight_grads(xp, dz_all, dh_next, dc_next, u)
        g = self._grad_tm(grad, t)  # (T, N, 2U)
        dz_all = xp.empty_like(self.gates)
        dh_next = xp.zeros((n, u), dtype=grad.dtype)
        dc_next = xp.zeros((n, u), dtype=grad.dtype)
        rk_t = xp.ascontiguousarray(self.rkernel.T)
        with _one_blas_thread(xp):
            for s in range(t - 1, -1, -1):
                dh = g[s, :, :u] + dh_next
                dc = g[s, :, u:] + dc_next
                if self.mask is not None:
                    m = self.mask[s]
                    dh_carry, dc_carry = xp.where(m, 0.0, dh), xp.where(m, 0.0, dc)
                    dh, dc = dh * m, dc * m
                z = self.gates[s]
                i, f, gg, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
                tc = self.tcs[s]
                c_prev = self.out[s - 1, :, u:] if s else self.c0
                dz = dz_all[s]
                if self.fast:  # sigmoid/tanh: all four gate derivatives in three passes over z
                    xp.multiply(dh, tc, out=dz[:, 3 * u:])
                    dc = dc + dh * o * (1.0 - tc * tc)
                    xp.multiply(dc, gg, out=dz[:, :u])
                    xp.multiply(dc, c_prev, out=dz[:, u:2 * u])
                    xp.multiply(dc, i, out=dz[:, 2 * u:3 * u])
                    zz = z * z
                    deriv = z - zz  # y (1 - y) for the sigmoid gates
                    xp.subtract(1.0, zz[:, 2 * u:3 * u], out=deriv[:, 2 * u:3 * u])  # 1 - y^2 for tanh
                    dz *= deriv
                else:
                    xp.multiply(dh * tc, dract(o), out=dz[:, 3 * u:])
                    dc = dc + dh * o * dact(tc)
                    xp.multiply(dc * gg, dract(i), out=dz[:, :u])
                    xp.multiply(dc * c_prev, dract(f), out=dz[:, u:2 * u])
                    xp.multiply(dc * i, dact(gg), out=dz[:, 2 * u:3 * u])
                dc_next = dc * f
                dh_next = dz @ rk_t
                if self.rec_mask is not None:
                    dh_next *= self.rec_mask
                if self.mask is not None:
                    dh_next += dh_carry
                    dc_next += dc_carry
        return self._weight_grads(xp, dz_all, dh_next, dc_next, u)

    def _weight_grads(self, xp, dz_all, dh_next, dc_next, u):
        dx, dk, db = self._input_grads(dz_all)
        hprev = xp.concatenate([self.h0[None], self.out[:-1, :, :u]], axis=0)
        if self.rec_mask is not None:
            hprev = hprev * self.rec_mask
        drk = hprev.reshape(-1, u).T @ dz_all.reshape(-1, 4 * u)
        self.gates = self.tcs = self.out = None
        return (dx, dh_next, dc_next, dk, drk, *((db,) if self.has_bias else ()))


class GRU(_Recurrent):
    """parents: x (N, T, D), h0 (N, U), kernel (D, 3U), recurrent_kernel (U, 3U)[, bias].

    reset_after=True: bias (2, 3U) = [input bias; recurrent bias], ``n = act(xh + r * (h R_h + b_rh))``.
    reset_after=False: bias (3U,), ``n = act(xh + (r * h) R_h)``.
    """

    def forward(self, x, h0, kernel, rkernel, *bias, mask=None, rec_mask=None, go_backwards=False,
                activation="tanh", recurrent_activation="sigmoid", reset_after=True, last_only=False):
        xp = xp_of(x)
        (act, _), (ract, _) = self.acts = _acts(activation, recurrent_activation)
        n, t, _ = x.shape
        u = rkernel.shape[0]
        b_in = b_rec = None
        if bias:
            b_in, b_rec = (bias[0][0], bias[0][1]) if reset_after else (bias[0], None)
        self.has_bias = bool(bias)
        ks = None
        if activation == "tanh" and recurrent_activation == "sigmoid":
            ks = F.usable(self, "gru", (x, h0, kernel, rkernel, *bias))
        if ks is not None:
            keep = is_grad_enabled() and any(self.needs_input_grad)
            out = F.gru_forward(self, ks, x, h0, kernel, rkernel, b_in, b_rec, mask, rec_mask, go_backwards,
                                reset_after, keep, last_only)
            return self._output(out, last_only)
        self.kernels = None
        _, xw = self._prepare(x, kernel, b_in, mask, go_backwards)
        zr_all = xp.empty((t, n, 2 * u), dtype=x.dtype)
        n_all = xp.empty((t, n, u), dtype=x.dtype)
        aux = xp.empty((t, n, u), dtype=x.dtype)  # reset_after: h R_h + b; else: r * h
        out = xp.empty((t, n, u), dtype=x.dtype)
        r_zr = xp.ascontiguousarray(rkernel[:, :2 * u])
        r_h = xp.ascontiguousarray(rkernel[:, 2 * u:])
        h = h0
        with _one_blas_thread(xp):
            for s in range(t):
                hin = h * rec_mask if rec_mask is not None else h
                zr, nn = zr_all[s], n_all[s]
                if reset_after:
                    hr = hin @ rkernel
                    if b_rec is not None:
                        hr += b_rec
                    xp.add(xw[s, :, :2 * u], hr[:, :2 * u], out=zr)
                    ract(zr)
                    aux[s] = hr[:, 2 * u:]
                    xp.multiply(zr[:, u:], aux[s], out=nn)
                else:
                    xp.matmul(hin, r_zr, out=zr)
                    zr += xw[s, :, :2 * u]
                    ract(zr)
                    xp.multiply(zr[:, u:], hin, out=aux[s])
                    xp.matmul(aux[s], r_h, out=nn)
                nn += xw[s, :, 2 * u:]
                act(nn)
                h_new = h - nn
                h_new *= zr[:, :u]
                h_new += nn
                if self.mask is not None:
                    h_new = _carry(xp, self.mask[s], h_new, h)
                out[s] = h_new
                h = out[s]
        self.h0, self.rkernel, self.rec_mask, self.reset_after = h0, rkernel, rec_mask, reset_after
        self.zr_all, self.n_all, self.aux, self.out = zr_all, n_all, aux, out
        self.r_zr, self.r_h = r_zr, r_h
        return self._output(out, last_only)

    def backward(self, grad):
        if self.kernels is not None:
            dxw, drec, dh_next = F.gru_backward(self, grad)
            return self._weight_grads(xp_of(grad), dxw, drec, dh_next)
        xp = xp_of(grad)
        (_, dact), (_, dract) = self.acts
        t, n, u = self.out.shape
        g = self._grad_tm(grad, t)
        dxw = xp.empty((t, n, 3 * u), dtype=grad.dtype)
        drec = xp.empty((t, n, 3 * u), dtype=grad.dtype)  # gradient of the recurrent pre-activations
        dh_next = xp.zeros((n, u), dtype=grad.dtype)
        rk_t = xp.ascontiguousarray(self.rkernel.T)
        rzr_t, rh_t = xp.ascontiguousarray(self.r_zr.T), xp.ascontiguousarray(self.r_h.T)
        with _one_blas_thread(xp):
            for s in range(t - 1, -1, -1):
                dh = g[s] + dh_next
                if self.mask is not None:
                    m = self.mask[s]
                    dh_carry = xp.where(m, 0.0, dh)
                    dh = dh * m
                zr, nn = self.zr_all[s], self.n_all[s]
                z, r = zr[:, :u], zr[:, u:]
                h_prev = self.out[s - 1] if s else self.h0
                hin = h_prev * self.rec_mask if self.rec_mask is not None else h_prev
                dan = dxw[s, :, 2 * u:]
                xp.multiply(dh * (1.0 - z), dact(nn), out=dan)
                xp.multiply(dh * (h_prev - nn), dract(z), out=dxw[s, :, :u])
                dh_prev = dh * z
                if self.reset_after:
                    xp.multiply(dan * self.aux[s], dract(r), out=dxw[s, :, u:2 * u])
                    drec[s, :, :2 * u] = dxw[s, :, :2 * u]
                    xp.multiply(dan, r, out=drec[s, :, 2 * u:])
                    dhin = drec[s] @ rk_t
                else:
                    drh = dan @ rh_t
                    xp.multiply(drh * hin, dract(r), out=dxw[s, :, u:2 * u])
                    dhin = drh * r
                    dhin += dxw[s, :, :2 * u] @ rzr_t
                if self.rec_mask is not None:
                    dhin *= self.rec_mask
                dh_prev += dhin
                if self.mask is not None:
                    dh_prev += dh_carry
                dh_next = dh_prev
        return self._weight_grads(xp, dxw, drec, dh_next)

    def _weight_grads(self, xp, dxw, drec, dh_next):
        u = self.out.shape[2]
        dx, dk, db_in = self._input_grads(dxw)
        hprev = xp.concatenate([self.h0[None], self.out[:-1]], axis=0)
        if self.rec_mask is not None:
            hprev = hprev * self.rec_mask
        hprev2 = hprev.reshape(-1, u)
        if self.reset_after:
            d2 = drec.reshape(-1, 3 * u)
            drk = hprev2.T @ d2
            db = xp.stack([db_in, d2.sum(axis=0)])
        else:
            drk = xp.concatenate([hprev2.T @ dxw[:, :, :2 * u].reshape(-1, 2 * u),
                                  self.aux.reshape(-1, u).T @ dxw[:, :, 2 * u:].reshape(-1, u)], axis=1)
            db = db_in
        self.zr_all = self.n_all = self.aux = self.out = self.gates = None
        return (dx, dh_next, dk, drk, *((db,) if self.has_bias else ()))


class SimpleRNN(_Recurrent):
    """parents: x (N, T, D), h0 (N, U), kernel (D, U), recurrent_kernel (U, U)[, bias (U,)]."""

    def forward(self, x, h0, kernel, rkernel, *bias, mask=None, rec_mask=None, go_backwards=False,
                activation="tanh", last_only=False):
        xp = xp_of(x)
        (act, _), _ = self.acts = _acts(activation, "linear")
        n, t, _ = x.shape
        u = rkernel.shape[0]
        ks = F.usable(self, "rnn", (x, h0, kernel, rkernel, *bias)) if activation == "tanh" else None
        if ks is not None:
            keep = is_grad_enabled() and any(self.needs_input_grad)
            out = F.rnn_forward(self, ks, x, h0, kernel, rkernel, bias[0] if bias else None, mask, rec_mask,
                                go_backwards, keep, last_only)
            return self._output(out, last_only)
        self.kernels = None
        _, xw = self._prepare(x, kernel, bias[0] if bias else None, mask, go_backwards)
        new = xp.empty((t, n, u), dtype=x.dtype)  # act outputs before masking
        out = new if self.mask is None else xp.empty((t, n, u), dtype=x.dtype)
        h = h0
        with _one_blas_thread(xp):
            for s in range(t):
                hin = h * rec_mask if rec_mask is not None else h
                a = new[s]
                xp.matmul(hin, rkernel, out=a)
                a += xw[s]
                act(a)
                if self.mask is not None:
                    out[s] = _carry(xp, self.mask[s], a, h)
                h = out[s]
        self.h0, self.rkernel, self.rec_mask = h0, rkernel, rec_mask
        self.new, self.out, self.has_bias = new, out, bool(bias)
        return self._output(out, last_only)

    def backward(self, grad):
        if self.kernels is not None:
            da_all, dh_next = F.rnn_backward(self, grad)
            return self._weight_grads(xp_of(grad), da_all, dh_next)
        xp = xp_of(grad)
        (_, dact), _ = self.acts
        t, n, u = self.out.shape
        g = self._grad_tm(grad, t)
        da_all = xp.empty((t, n, u), dtype=grad.dtype)
        dh_next = xp.zeros((n, u), dtype=grad.dtype)
        rk_t = xp.ascontiguousarray(self.rkernel.T)
        with _one_blas_thread(xp):
            for s in range(t - 1, -1, -1):
                dh = g[s] + dh_next
                if self.mask is not None:
                    m = self.mask[s]
                    dh_carry = xp.where(m, 0.0, dh)
                    dh = dh * m
                xp.multiply(dh, dact(self.new[s]), out=da_all[s])
                dh_next = da_all[s] @ rk_t
                if self.rec_mask is not None:
                    dh_next *= self.rec_mask
                if self.mask is not None:
                    dh_next += dh_carry
        return self._weight_grads(xp, da_all, dh_next)

    def _weight_grads(self, xp, da_all, dh_next):
        u = self.out.shape[2]
        dx, dk, db = self._input_grads(da_all)
        hprev = xp.concatenate([self.h0[None], self.out[:-1]], axis=0)
        if self.rec_mask is not None:
            hprev = hprev * self.rec_mask
        drk = hprev.reshape(-1, u).T @ da_all.reshape(-1, u)
        self.new = self.out = None
        return (dx, dh_next, dk, drk, *((db,) if self.has_bias else ()))


def _bias(b):
    return () if b is None else (b,)


def lstm(x, h0, c0, kernel, recurrent_kernel, bias=None, mask=None, rec_mask=None, go_backwards=False,
         activation="tanh", recurrent_activation="sigmoid", last_only=False) -> Tensor:
    """→ (N, T, 2U): hidden states in [..., :U], cell states in [..., U:], in processing order
    (``last_only``: (N, 2U), the last processed step)."""
    return LSTM.apply(x, h0, c0, kernel, recurrent_kernel, *_bias(bias), mask=mask, rec_mask=rec_mask,
                      go_backwards=go_backwards, activation=activation,
                      recurrent_activation=recurrent_activation, last_only=last_only)


def gru(x, h0, kernel, recurrent_kernel, bias=None, mask=None, rec_mask=None, go_backwards=False,
        activation="tanh", recurrent_activation="sigmoid", reset_after=True, last_only=False) -> Tensor:
    """→ (N, T, U) hidden states in processing order (``last_only``: (N, U), the last processed step)."""
    return GRU.apply(x, h0, kernel, recurrent_kernel, *_bias(bias), mask=mask, rec_mask=rec_mask,
                     go_backwards=go_backwards, activation=activation,
                     recurrent_activation=recurrent_activation, reset_after=reset_after, last_only=last_only)


def simple_rnn(x, h0, kernel, recurrent_kernel, bias=None, mask=None, rec_mask=None, go_backwards=False,
               activation="tanh", last_only=False) -> Tensor:
    """→ (N, T, U) hidden states in processing order (``last_only``: (N, U), the last processed step)."""
    return SimpleRNN.apply(x, h0, kernel, recurrent_kernel, *_bias(bias), mask=mask, rec_mask=rec_mask,
                           go_backwards=go_backwards, activation=activation, last_only=last_only)
