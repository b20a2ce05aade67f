"""A tiny define-by-run autograd: a Tensor, and one small Function (forward, backward) per op.

Functions compute on raw ``xp`` arrays (numpy or cupy). ``Function.apply`` runs ``forward`` and, when a
gradient is needed, records the Function as the creator of its output. ``Tensor.backward`` walks the
recorded graph in reverse topological order and hands each Function the gradient of its output.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from engine.backend import to_cpu, xp_of

_grad = {"enabled": True}
_census: list = []  # [elements the ops output so far] while ``census()`` counts, else empty
_local = threading.local()  # ``homes``: this thread's gradient homes while ``grad_homes`` is active


@contextlib.contextmanager
def no_grad():
    """Run ops without recording a graph (inference)."""
    previous = _grad["enabled"]
    _grad["enabled"] = False
    try:
        yield
    finally:
        _grad["enabled"] = previous


def is_grad_enabled() -> bool:
    return _grad["enabled"]


@contextlib.contextmanager
def grad_homes(homes: dict):
    """Inside the block, on this thread, ``claim_grad_home(leaf)`` hands out ``homes[id(leaf)]`` once: where the
    leaf's gradient may be written directly (the optimizer's flat gradient buffer, ``Optimizer.grad_homes``)."""
    previous = getattr(_local, "homes", None)
    _local.homes = dict(homes)
    try:
        yield
    finally:
        _local.homes = previous


def claim_grad_home(tensor):
    """The array ``tensor``'s gradient may be written into (its whole gradient, this backward pass), or None.
    Handed out once: a weight used twice gets its second gradient as a fresh array, and the sum is fresh too."""
    homes = getattr(_local, "homes", None)
    if not homes:
        return None
    return homes.pop(id(tensor), None)


@contextlib.contextmanager
def census():
    """Count the elements every op outputs inside the block: ``with census() as count: ...; count[0]``. How much
    element-wise work a model does per row (``engine.parallel`` weighs it against the weights' size)."""
    count = [0]
    _census.append(count)
    try:
        yield count
    finally:
        _census.remove(count)


class Function:
    """One op. Subclasses define ``forward(*arrays, **kw) -> array`` and ``backward(grad) -> grads``.

    ``backward`` returns one gradient per input (a tuple, or a single array for one input); ``None``
    where no gradient is needed (see ``self.needs_input_grad``). Anything ``backward`` needs is saved
    on ``self`` by ``forward``.
    """

    def __init__(self, *parents: Tensor):
        self.parents = parents
        self.needs_input_grad = tuple(p.requires_grad for p in parents)

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **kwargs) -> Tensor:
        tensors = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
        ctx = cls(*tensors)
        out = ctx.forward(*(t.data for t in tensors), **kwargs)
        if _census:
            _census[-1][0] += getattr(out, "size", 0)
        requires = _grad["enabled"] and any(ctx.needs_input_grad)
        return Tensor(out, requires_grad=requires, _ctx=ctx if requires else None)


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape`` (the inverse of numpy broadcasting)."""
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


class Tensor:
    """An array with an optional gradient and the Function that created it."""

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "name", "_keras_mask", "__weakref__")
    __array_priority__ = 1000  # numpy_array + tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, _ctx: Function | None = None, name=None):
        if isinstance(data, Tensor):
            data = data.data
        elif not hasattr(data, "shape"):
            data = np.asarray(data)
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self._ctx = _ctx
        self.name = name
        self._keras_mask = None  # a boolean (batch, time) array set by masking layers (Embedding)

    # ---- array-like surface
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)

    def numpy(self):
        return to_cpu(self.data)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor(shape={self.shape}, dtype={self.dtype}{grad})"

    def detach(self) -> Tensor:
        return Tensor(self.data)

    # ---- backpropagation
    def backward(self, grad=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``; frees the graph as it goes."""
        backward([self], [grad])

    # ---- operators (the ops live in engine.ops.math; imported late to avoid a cycle)
    def _c(self, other):
        """Python scalars and arrays become Tensors of this tensor's dtype (no float64 creep)."""
        if isinstance(other, Tensor):
            return other
        xp = xp_of(self.data)
        return Tensor(xp.asarray(other, dtype=self.data.dtype))

    def __add__(self, o): return _m().Add.apply(self, self._c(o))
    def __radd__(self, o): return _m().Add.apply(self._c(o), self)
    def __sub__(self, o): return _m().Sub.apply(self, self._c(o))
    def __rsub__(self, o): return _m().Sub.apply(self._c(o), self)  # o - self
    def __mul__(self, o): return _m().Mul.apply(self, self._c(o))
    def __rmul__(self, o): return _m().Mul.apply(self._c(o), self)
    def __truediv__(self, o): return _m().Div.apply(self, self._c(o))
    def __rtruediv__(self, o): return _m().Div.apply(self._c(o), self)  # o / self
    def __neg__(self): return _m().Neg.apply(self)
    def __pow__(self, p): return _m().Pow.apply(self, p=p)
    def __matmul__(self, o): return _m().MatMul.apply(self, self._c(o))
    def __getitem__(self, idx): return _m().GetItem.apply(self, idx=idx)

    def sum(self, axis=None, keepdims=False): return _m().Sum.apply(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return _m().Mean.apply(self, axis=axis, keepdims=keepdims)
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return _m().Reshape.apply(self, shape=tuple(shape))
    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return _m().Transpose.apply(self, axes=tuple(axes) if axes else None)
    T = property(lambda self: self.transpose())
    def exp(self): return _m().Exp.apply(self)
    def log(self): return _m().Log.apply(self)
    def sqrt(self): return _m().Sqrt.apply(self)
    def abs(self): return _m().Abs.apply(self)


def _m():
    from engine.ops import math  # noqa: PLC0415 - ops import Tensor; Tensor's operators import ops

    return math


def backward(roots, grads, leaf_grads: dict | None = None) -> None:
    """Backpropagate ``grads`` (None: ones) from ``roots`` through their graphs in one walk (roots may share
    nodes: a model's outputs). Leaf gradients accumulate into each leaf's ``.grad``, or, with ``leaf_grads``, into
    that dict as ``{id(leaf): (leaf, grad)}`` so that graphs on several threads never write the same ``.grad``.
    Frees the graph as it goes."""
    pending = {}
    for root, grad in zip(roots, grads, strict=True):
        if grad is None:
            grad = xp_of(root.data).ones_like(root.data)
        key = id(root)
        pending[key] = grad if key not in pending else pending[key] + grad
    for t in reversed(_topological_order(*roots)):
        g = pending.pop(id(t), None)
        if g is None:
            continue
        ctx = t._ctx
        if ctx is None:  # a leaf: accumulate (never in place: g may be shared with another node)
            if leaf_grads is None:
                t.grad = g if t.grad is None else t.grad + g
            else:
                held = leaf_grads.get(id(t))
                leaf_grads[id(t)] = (t, g if held is None else held[1] + g)
            continue
        in_grads = ctx.backward(g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        for parent, pg in zip(ctx.parents, in_grads):
            if pg is None or not parent.requires_grad:
                continue
            key = id(parent)
            pending[key] = pg if key not in pending else pending[key] + pg
        t._ctx = None  # release the graph behind this node


def _topological_order(*roots: Tensor) -> list[Tensor]:
    """Nodes reachable from ``roots`` with every node after its parents (iterative: RNN graphs are deep)."""
    order, seen, stack = [], set(), [(root, False) for root in reversed(roots)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if node._ctx is not None:
            stack.extend((p, False) for p in node._ctx.parents if p.requires_grad and id(p) not in seen)
    return order


def as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)
