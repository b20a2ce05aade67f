"""Element-wise arithmetic, reductions and array manipulation."""

from __future__ import annotations

from engine.autograd import Function, Tensor, unbroadcast
from engine.backend import xp_of


class Add(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(g, self.shapes[1])


class Sub(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a - b

    def backward(self, g):
        gb = unbroadcast(-g, self.shapes[1]) if self.needs_input_grad[1] else None
        return unbroadcast(g, self.shapes[0]), gb


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        ga = unbroadcast(g * self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(g * self.a, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        ga = unbroadcast(g / self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(-g * self.a / (self.b * self.b), self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Pow(Function):
    def forward(self, a, p):
        self.a, self.p = a, p
        return a**p

    def backward(self, g):
        return g * self.p * self.a ** (self.p - 1)


class Exp(Function):
    def forward(self, a):
        self.out = xp_of(a).exp(a)
        return self.out

    def backward(self, g):
        return g * self.out


class Log(Function):
    def forward(self, a):
        self.a = a
        return xp_of(a).log(a)

    def backward(self, g):
        return g / self.a


class Sqrt(Function):
    def forward(self, a):
        self.out = xp_of(a).sqrt(a)
        return self.out

    def backward(self, g):
        return g / (2 * self.out)


class Abs(Function):
    def forward(self, a):
        self.sign = xp_of(a).sign(a)
        return abs(a)

    def backward(self, g):
        return g * self.sign


class Maximum(Function):
    """Element-wise max; ties send the gradient to the first input."""

    def forward(self, a, b):
        self.mask = a >= b
        self.shapes = a.shape, b.shape
        return xp_of(a, b).maximum(a, b)

    def backward(self, g):
        return unbroadcast(g * self.mask, self.shapes[0]), unbroadcast(g * ~self.mask, self.shapes[1])


class Minimum(Function):
    """Element-wise min; ties send the gradient to the first input."""

    def forward(self, a, b):
        self.mask = a <= b
        self.shapes = a.shape, b.shape
        return xp_of(a, b).minimum(a, b)

    def backward(self, g):
        return unbroadcast(g * self.mask, self.shapes[0]), unbroadcast(g * ~self.mask, self.shapes[1])


class Clip(Function):
    def forward(self, a, lo, hi):
        self.mask = (a >= lo) & (a <= hi)
        return xp_of(a).clip(a, lo, hi)

    def backward(self, g):
        return g * self.mask


class MatMul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        xp = xp_of(g)
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = unbroadcast(g @ xp.swapaxes(self.b, -1, -2), self.a.shape) if self.b.ndim > 1 \
                else xp.multiply.outer(g, self.b)
        if self.needs_input_grad[1]:
            if self.a.ndim == 2 and g.ndim == 2:
                gb = self.a.T @ g
            elif self.b.ndim > 2:  # batched weights: one product per batch entry
                gb = unbroadcast(xp.swapaxes(self.a, -1, -2) @ g, self.b.shape)
            else:  # batched: fold the batch axes into the contraction
                a2 = self.a.reshape(-1, self.a.shape[-1])
                gb = unbroadcast(a2.T @ g.reshape(-1, g.shape[-1]), self.b.shape)
        return ga, gb


def _expand(g, shape, axis, keepdims):
    """Undo a reduction over ``axis`` so that ``g`` broadcasts against the input of ``shape``."""
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, int) else axis
        for ax in sorted(a % len(shape) for a in axes):
            g = xp_of(g).expand_dims(g, ax)
    return g


class Sum(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return a.sum(axis=axis, keepdims=keepdims)

    def backward(self, g):
        g = _expand(g, self.shape, self.axis, self.keepdims)
        return xp_of(g).broadcast_to(g, self.shape)


class Mean(Function):
    def forward(self, a, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        out = a.mean(axis=axis, keepdims=keepdims)
        self.n = a.size // max(out.size, 1)
        return out

    def backward(self, g):
        g = _expand(g, self.shape, self.axis, self.keepdims) / self.n
        return xp_of(g).broadcast_to(g, self.shape).astype(g.dtype, copy=False)


class Max(Function):
    """Reduction max; ties share the gradient equally."""

    def forward(self, a, axis=None, keepdims=False):
        self.a, self.axis, self.keepdims = a, axis, keepdims
        self.out = a.max(axis=axis, keepdims=True)
        return self.out if keepdims else self.out.squeeze(axis=axis) if axis is not None else self.out.reshape(())

    def backward(self, g):
        mask = self.a == self.out
        g = _expand(g, self.a.shape, self.axis, self.keepdims) if self.axis is not None else g
        return mask * g / mask.sum(axis=self.axis, keepdims=True).astype(g.dtype)


class Reshape(Function):
    def forward(self, a, shape):
        self.shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.shape)


class Transpose(Function):
    def forward(self, a, axes=None):
        self.axes = axes
        return a.transpose(axes)

    def backward(self, g):
        if self.axes is None:
            return g.transpose()
        return g.transpose(xp_of(g).argsort(xp_of(g).asarray(self.axes)).tolist())


class GetItem(Function):
    def forward(self, a, idx):
        self.shape, self.dtype, self.idx = a.shape, a.dtype, idx
        return a[idx]

    def backward(self, g):
        xp = xp_of(g)
        out = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(out, self.idx, g) if _has_array_index(self.idx) else out.__setitem__(self.idx, g)
        return out


def _has_array_index(idx) -> bool:
    idx = idx if isinstance(idx, tuple) else (idx,)
    return any(hasattr(i, "shape") or isinstance(i, list) for i in idx)


class Concatenate(Function):
    def forward(self, *arrays, axis=-1):
        self.axis = axis
        self.sizes = [a.shape[axis] for a in arrays]
        return xp_of(*arrays).concatenate(arrays, axis=axis)

    def backward(self, g):
        xp = xp_of(g)
        cuts = list(xp.cumsum(xp.asarray(self.sizes[:-1])).tolist()) if len(self.sizes) > 1 else []
        return tuple(xp.split(g, cuts, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis
        return xp_of(*arrays).stack(arrays, axis=axis)

    def backward(self, g):
        xp = xp_of(g)
        return tuple(xp.squeeze(p, axis=self.axis) for p in xp.split(g, g.shape[self.axis], axis=self.axis))


class Where(Function):
    """``cond ? a : b`` with a constant boolean condition."""

    def forward(self, a, b, cond):
        self.cond, self.shapes = cond, (a.shape, b.shape)
        return xp_of(a, b).where(cond, a, b)

    def backward(self, g):
        zero = g.dtype.type(0)
        xp = xp_of(g)
        return (unbroadcast(xp.where(self.cond, g, zero), self.shapes[0]),
                unbroadcast(xp.where(self.cond, zero, g), self.shapes[1]))


# Lower-case functional wrappers (Chainer style): ``F.concatenate([a, b], axis=-1)``.
def concatenate(tensors, axis=-1) -> Tensor:
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0) -> Tensor:
    return Stack.apply(*tensors, axis=axis)


def maximum(a, b) -> Tensor:
    return Maximum.apply(a, b)


def minimum(a, b) -> Tensor:
    return Minimum.apply(a, b)


def clip(a, lo, hi) -> Tensor:
    return Clip.apply(a, lo=lo, hi=hi)


def where(cond, a, b) -> Tensor:
    return Where.apply(a, b, cond=cond)


def amax(a, axis=None, keepdims=False) -> Tensor:
    return Max.apply(a, axis=axis, keepdims=keepdims)
