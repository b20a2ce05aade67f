"""Merge layers (Keras 3): Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate(axis), Dot(axes).

Called on a list of tensors. Element-wise merges broadcast like Keras (equal shapes, or 1 against n);
masks are combined with a logical AND (Concatenate: concatenated along the axis when it is not the last).
"""

from __future__ import annotations

import functools

from engine.autograd import Tensor
from engine.backend import xp_of
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops import math as M


def _shapes_list(input_shape, layer):
    if not isinstance(input_shape, (list, tuple)) or not input_shape or \
            not all(isinstance(s, (list, tuple)) for s in input_shape):
        raise ValueError(f"A merge layer should be called on a list of inputs. Received: input_shape="
                         f"{input_shape} (not a list of shapes)")
    return [tuple(s) for s in input_shape]


class _Merge(Layer):
    min_inputs = 2
    max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_count(self, shapes):
        if len(shapes) < self.min_inputs or (self.max_inputs and len(shapes) > self.max_inputs):
            if self.max_inputs == 2:
                raise ValueError(f"A `{type(self).__name__}` layer should be called on exactly 2 inputs. "
                                 f"Received: input_shape={[C.fmt(s) for s in shapes]}")
            raise ValueError(f"A merge layer should be called on a list of at least {self.min_inputs} inputs. "
                             f"Got {len(shapes)} inputs. Full input_shape received: "
                             f"[{', '.join(C.fmt(s) for s in shapes)}]")

    def compute_output_shape(self, input_shape):
        shapes = _shapes_list(input_shape, self)
        self._check_count(shapes)
        out = shapes[0]
        for s in shapes[1:]:
            out = _broadcast(out, s)
        return out

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        masks = [m.data if isinstance(m, Tensor) else m for m in mask if m is not None]
        xp = xp_of(*masks)
        return functools.reduce(xp.logical_and, masks)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: inputs={inputs}")
        self._check_count([t.shape for t in inputs])
        return self._merge(list(inputs))


def _broadcast(shape1, shape2, shapes=None):
    """Keras' element-wise output shape: aligned on the right, 1 broadcasts, None stays unknown."""
    if len(shape1) < len(shape2):
        return _broadcast(shape2, shape1)
    out = list(shape1[:len(shape1) - len(shape2)])
    for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {C.fmt(shape1)} and {C.fmt(shape2)}")
    return tuple(out)


@register
class Add(_Merge):
    def _merge(self, xs):
        return functools.reduce(lambda a, b: a + b, xs)


@register
class Subtract(_Merge):
    max_inputs = 2

    def _merge(self, xs):
        return xs[0] - xs[1]


@register
class Multiply(_Merge):
    def _merge(self, xs):
        return functools.reduce(lambda a, b: a * b, xs)


@register
class Average(_Merge):
    def _merge(self, xs):
        return functools.reduce(lambda a, b: a + b, xs) * (1.0 / len(xs))


@register
class Maximum(_Merge):
    def _merge(self, xs):
        return functools.reduce(M.maximum, xs)


@register
class Minimum(_Merge):
    def _merge(self, xs):
        return functools.reduce(M.minimum, xs)


@register
class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        shapes = _shapes_list(input_shape, self)
        self._check_count(shapes)
        rank = len(shapes[0])
        if not -rank <= self.axis < rank:
            raise ValueError(f"Invalid axis {self.axis} for `Concatenate` inputs of rank {rank}.")
        axis = self.axis % rank

        def rest(s):
            return [d for i, d in enumerate(s) if i != axis]

        for s in shapes[1:]:
            if len(s) != rank or any(a is not None and b is not None and a != b
                                     for a, b in zip(rest(shapes[0]), rest(s))):
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the "
                                 f"concatenation axis. Received: input_shape=[{', '.join(C.fmt(x) for x in shapes)}]")
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if any(v is None for v in sizes) else sum(sizes)
        for i in range(rank):
            if i != axis and out[i] is None:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        return tuple(out)

    def _merge(self, xs):
        return M.concatenate(xs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        rank = inputs[0].ndim
        if self.axis % rank == rank - 1:  # features axis: the time mask is shared
            return super().compute_mask(inputs, mask)
        xp = xp_of(*[m for m in mask if m is not None])
        full = [xp.ones(t.shape[:-1], dtype=bool) if m is None else (m.data if isinstance(m, Tensor) else m)
                for t, m in zip(inputs, mask)]
        return xp.concatenate(full, axis=self.axis % rank)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _l2_normalize(x, axis):
    sq = (x * x).sum(axis=axis, keepdims=True)
    return x * M.maximum(sq, Tensor(xp_of(sq.data).asarray(1e-12, dtype=sq.dtype))) ** -0.5


@register
class Dot(_Merge):
    """Batch dot product of two tensors along ``axes`` (int or pair); ``normalize`` → cosine similarity."""

    max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        if not (isinstance(axes, (list, tuple)) and len(axes) == 2 and all(isinstance(a, int) for a in axes)):
            raise ValueError(f"Invalid format for argument `axes`: expected an int or a list/tuple of 2 ints. "
                             f"Received: axes={axes!r}")
        self.axes = tuple(axes)
        self.normalize = bool(normalize)
        self.supports_masking = False

    def _resolve_axes(self, r1, r2):
        return tuple(a % r for a, r in zip(self.axes, (r1, r2)))

    def compute_output_shape(self, input_shape):
        shapes = _shapes_list(input_shape, self)
        self._check_count(shapes)
        s1, s2 = shapes
        if len(s1) < 2 or len(s2) < 2:
            raise ValueError(f"A `Dot` layer requires inputs of rank >= 2. Received: {C.fmt(s1)}, {C.fmt(s2)}")
        a1, a2 = self._resolve_axes(len(s1), len(s2))
        if 0 in (a1, a2):
            raise ValueError("Cannot perform a batch dot over the batch axis (axes=0).")
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {s1[a1]} (at axis {a1}) != {s2[a2]} "
                             f"(at axis {a2}). Full input shapes: {C.fmt(s1)}, {C.fmt(s2)}")
        out = [d for i, d in enumerate(s1) if i != a1] + [d for i, d in enumerate(s2) if i not in (0, a2)]
        return tuple(out) if len(out) > 1 else (out[0], 1)

    def _merge(self, xs):
        x, y = xs
        a1, a2 = self._resolve_axes(x.ndim, y.ndim)
        if self.normalize:
            x, y = _l2_normalize(x, a1), _l2_normalize(y, a2)
        n = x.shape[0]
        xo = [i for i in range(1, x.ndim) if i != a1]
        yo = [i for i in range(1, y.ndim) if i != a2]
        xt = x.transpose(0, *xo, a1).reshape(n, -1, x.shape[a1])
        yt = y.transpose(0, a2, *yo).reshape(n, y.shape[a2], -1)
        out = xt @ yt
        shape = [x.shape[i] for i in xo] + [y.shape[i] for i in yo]
        return out.reshape(n, *shape) if shape else out.reshape(n, 1)

    def get_config(self):
        return {**super().get_config(), "axes": list(self.axes) if self.axes[0] != self.axes[1] else self.axes[0],
                "normalize": self.normalize}
