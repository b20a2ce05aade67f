"""3-D convolution and pooling on channels_last (N, D, H, W, C) arrays, by im2col written once against xp.

A strided view gives every (kd, kh, kw) window of the padded input without a copy; convolution is then one
matmul, pooling a reduction over the window axes. Backward scatters window gradients back with one slice-add
per kernel offset (kd * kh * kw of them; never a loop over samples or voxels). Padding is TensorFlow's "same"
(extra padding at the end), as in the 2-D ops.
"""

from __future__ import annotations

from engine.autograd import Function, Tensor
from engine.backend import xp_of
from engine.ops.conv import _as_strided, _group_views, conv_padding, effective_kernel


def _triple(v):
    return (v, v, v) if isinstance(v, int) else tuple(int(a) for a in v)


def pad3d(x, pads, value=0.0):
    """Pad the three spatial axes of (N, D, H, W, C) by ``pads`` = ((before, after),) * 3."""
    xp = xp_of(x)
    if not any(a or b for a, b in pads):
        return x
    shape = (x.shape[0], *(n + a + b for n, (a, b) in zip(x.shape[1:4], pads)), x.shape[4])
    out = xp.full(shape, value, dtype=x.dtype)
    out[(slice(None), *(slice(a, a + n) for n, (a, _) in zip(x.shape[1:4], pads)))] = x
    return out


def out_size3d(spatial, kernel, strides, pads, dilation):
    out = tuple((n + a + b - effective_kernel(k, d)) // s + 1
                for n, k, s, (a, b), d in zip(spatial, kernel, strides, pads, dilation))
    if min(out) <= 0:
        raise ValueError(f"Computed output size would be negative: input spatial shape {tuple(spatial)}, kernel "
                         f"{tuple(kernel)}, strides {tuple(strides)}, dilation_rate {tuple(dilation)}.")
    return out


def windows3d(xpad, kernel, out, strides, dilation):
    """A (N, OD, OH, OW, kd, kh, kw, C) strided view of the padded input (no copy)."""
    xp = xp_of(xpad)
    xpad = xp.ascontiguousarray(xpad)
    s0, s1, s2, s3, s4 = xpad.strides
    sd, sh, sw = strides
    dd, dh, dw = dilation
    return _as_strided(xp, xpad, (xpad.shape[0], *out, *kernel, xpad.shape[4]),
                       (s0, s1 * sd, s2 * sh, s3 * sw, s1 * dd, s2 * dh, s3 * dw, s4))


def col2im3d(cols, padded_shape, strides, dilation):
    """Scatter-add (N, OD, OH, OW, kd, kh, kw, C) window values into a zero (N, Dp, Hp, Wp, C) array."""
    xp = xp_of(cols)
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    od, oh, ow, kd, kh, kw = cols.shape[1:7]
    sd, sh, sw = strides
    dd, dh, dw = dilation
    for i in range(kd):
        for j in range(kh):
            for k in range(kw):
                a, b, c = i * dd, j * dh, k * dw
                out[:, a:a + sd * (od - 1) + 1:sd, b:b + sh * (oh - 1) + 1:sh, c:c + sw * (ow - 1) + 1:sw] += \
                    cols[:, :, :, :, i, j, k]
    return out


def _crop(xpad, pads, spatial):
    return xpad[(slice(None), *(slice(a, a + n) for (a, _), n in zip(pads, spatial)))]


class Conv3D(Function):
    """x (N, D, H, W, C), w (kd, kh, kw, C // groups, F), b (F,) → (N, OD, OH, OW, F); with groups, output
    channels group by group (as Keras): group i sees input channels [i * C/g, (i + 1) * C/g)."""

    def forward(self, x, w, *b, strides=(1, 1, 1), pads=((0, 0),) * 3, dilation=(1, 1, 1), groups=1):
        xp = xp_of(x, w)
        kernel, f = w.shape[:3], w.shape[4]
        out = out_size3d(x.shape[1:4], kernel, strides, pads, dilation)
        xpad = pad3d(x, pads)
        k, c = kernel[0] * kernel[1] * kernel[2], x.shape[4]
        cols = windows3d(xpad, kernel, out, strides, dilation).reshape(-1, k * c)
        self.cfg = (x.shape, xpad.shape, kernel, out, strides, pads, dilation, groups)
        self.w = w
        if groups == 1:
            self.cols = cols
            y = cols @ w.reshape(-1, f)
        else:  # one batched matmul over the groups: (g, M, K*Cg) @ (g, K*Cg, F/g)
            self.cols, wg = _group_views(xp, cols.reshape(-1, k, c), w.reshape(k, c // groups, f), groups)
            self.wg = wg
            y = xp.matmul(self.cols, wg).transpose(1, 0, 2).reshape(-1, f)
        if b:
            y = y + b[0]
        return y.reshape(x.shape[0], *out, f)

    def _backward_grouped(self, g2, x_shape, kernel):
        xp = xp_of(g2)
        groups = self.cfg[7]
        k, c, f = kernel[0] * kernel[1] * kernel[2], x_shape[4], g2.shape[1]
        m, cg, fg = g2.shape[0], c // groups, f // groups
        gg = g2.reshape(m, groups, fg).transpose(1, 0, 2)
        dcols = dw = None
        if self.needs_input_grad[0]:  # undo _group_views' (g, M, K*Cg) layout back to (M, K*C)
            da = xp.matmul(gg, self.wg.transpose(0, 2, 1))
            dcols = da.reshape(groups, m, k, cg).transpose(1, 2, 0, 3).reshape(m, k * c)
        if self.needs_input_grad[1]:
            db = xp.matmul(self.cols.transpose(0, 2, 1), gg)
            dw = db.reshape(groups, k, cg, fg).transpose(1, 2, 0, 3).reshape(self.w.shape)
        return dcols, dw

    def backward(self, g):
        x_shape, pad_shape, kernel, out, strides, pads, dilation, groups = self.cfg
        f = self.w.shape[4]
        g2 = g.reshape(-1, f)
        dx = dw = None
        if groups == 1:
            gcols = g2 @ self.w.reshape(-1, f).T if self.needs_input_grad[0] else None
            if self.needs_input_grad[1]:
                dw = (self.cols.T @ g2).reshape(self.w.shape)
        else:
            gcols, dw = self._backward_grouped(g2, x_shape, kernel)
        if gcols is not None:
            gcols = gcols.reshape(x_shape[0], *out, *kernel, x_shape[4])
            dx = _crop(col2im3d(gcols, pad_shape, strides, dilation), pads, x_shape[1:4])
        db = (g2.sum(axis=0),) if len(self.needs_input_grad) > 2 else ()
        self.cols = self.wg = None
        return (dx, dw, *db)


class MaxPool3D(Function):
    """Window maximum; padding cells are -inf so they never win; the gradient goes to the first maximum."""

    def forward(self, x, pool=(2, 2, 2), strides=(2, 2, 2), pads=((0, 0),) * 3):
        xp = xp_of(x)
        dil = (1, 1, 1)
        out = out_size3d(x.shape[1:4], pool, strides, pads, dil)
        xpad = pad3d(x, pads, value=-xp.inf)
        win = windows3d(xpad, pool, out, strides, dil).reshape(x.shape[0], *out, -1, x.shape[4])
        self.arg = win.argmax(axis=4)[:, :, :, :, None]
        self.cfg = (x.shape, xpad.shape, pool, out, strides, pads, win.shape)
        return xp.take_along_axis(win, self.arg, axis=4)[:, :, :, :, 0]

    def backward(self, g):
        xp = xp_of(g)
        x_shape, pad_shape, pool, out, strides, pads, win_shape = self.cfg
        # one-hot of the winning window cell (broadcast compare: works on NumPy and CuPy alike)
        hit = xp.arange(win_shape[4]).reshape(1, 1, 1, 1, -1, 1) == self.arg
        gwin = (hit * g[:, :, :, :, None]).astype(g.dtype).reshape(x_shape[0], *out, *pool, x_shape[4])
        return _crop(col2im3d(gwin, pad_shape, strides, (1, 1, 1)), pads, x_shape[1:4])


class AvgPool3D(Function):
    """Window mean over the real (unpadded) inputs of each window, as TensorFlow's "same" average pooling."""

    def forward(self, x, pool=(2, 2, 2), strides=(2, 2, 2), pads=((0, 0),) * 3):
        xp = xp_of(x)
        dil = (1, 1, 1)
        out = out_size3d(x.shape[1:4], pool, strides, pads, dil)
        xpad = pad3d(x, pads)
        axes = (4, 5, 6)
        total = windows3d(xpad, pool, out, strides, dil).sum(axis=axes)
        ones = pad3d(xp.ones((1, *x.shape[1:4], 1), dtype=x.dtype), pads)
        self.count = windows3d(ones, pool, out, strides, dil).sum(axis=axes)
        self.cfg = (x.shape, xpad.shape, pool, out, strides, pads)
        return total / self.count

    def backward(self, g):
        xp = xp_of(g)
        x_shape, pad_shape, pool, out, strides, pads = self.cfg
        share = (g / self.count)[:, :, :, :, None, None, None, :]
        gwin = xp.broadcast_to(share, (x_shape[0], *out, *pool, x_shape[4]))
        return _crop(col2im3d(gwin, pad_shape, strides, (1, 1, 1)), pads, x_shape[1:4])


def _pads(spatial, kernel, strides, dilation, padding):
    return tuple(conv_padding(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernel, strides, dilation))


def conv3d(x, w, b=None, strides=1, padding="valid", dilation_rate=1, groups=1) -> Tensor:
    """Keras-style 3-D convolution (cross-correlation); ``padding`` "valid" or "same"."""
    strides, dilation = _triple(strides), _triple(dilation_rate)
    pads = _pads(x.shape[1:4], w.shape[:3], strides, dilation, padding)
    args = (x, w) if b is None else (x, w, b)
    return Conv3D.apply(*args, strides=strides, pads=pads, dilation=dilation, groups=groups)


def _pool3d(op, x, pool_size, strides, padding):
    pool = _triple(pool_size)
    strides = pool if strides is None else _triple(strides)
    pads = _pads(x.shape[1:4], pool, strides, (1, 1, 1), padding)
    return op.apply(x, pool=pool, strides=strides, pads=pads)


def max_pool3d(x, pool_size=2, strides=None, padding="valid") -> Tensor:
    return _pool3d(MaxPool3D, x, pool_size, strides, padding)


def avg_pool3d(x, pool_size=2, strides=None, padding="valid") -> Tensor:
    return _pool3d(AvgPool3D, x, pool_size, strides, padding)
