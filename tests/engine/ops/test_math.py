"""engine.ops.math: every op against NumPy (forward) and central differences (gradient), in float64."""

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops import math as M
from engine.ops.gradcheck import check_grad

RNG = np.random.default_rng(0)


def r(*shape):
    return RNG.normal(size=shape)


def pos(*shape):
    return RNG.uniform(0.5, 2.0, size=shape)


BINARY = [
    ("add", lambda a, b: a + b, np.add),
    ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply),
    ("div", lambda a, b: a / b, np.divide),
]


@pytest.mark.parametrize("name,op,ref", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((3, 4), ())])
def test_binary_ops_broadcast(name, op, ref, shapes):
    a, b = r(*shapes[0]), pos(*shapes[1]) if shapes[1] else np.array(1.7)
    np.testing.assert_allclose(op(Tensor(a), Tensor(b)).data, ref(a, b))
    check_grad(op, a, b)


UNARY = [
    ("neg", lambda a: -a, r), ("pow2", lambda a: a ** 2, r), ("pow_half", lambda a: a ** 0.5, pos),
    ("exp", lambda a: a.exp(), r), ("log", lambda a: a.log(), pos), ("sqrt", lambda a: a.sqrt(), pos),
    ("abs", lambda a: a.abs(), lambda *s: r(*s) + 0.1),
    ("sum_all", lambda a: a.sum(), r), ("sum_axis", lambda a: a.sum(axis=1), r),
    ("sum_keep", lambda a: a.sum(axis=(0, 2), keepdims=True), r),
    ("mean_all", lambda a: a.mean(), r), ("mean_axis", lambda a: a.mean(axis=-1), r),
    ("max_axis", lambda a: M.amax(a, axis=1), r), ("max_all", lambda a: M.amax(a), r),
    ("reshape", lambda a: a.reshape(6, 4), r), ("transpose", lambda a: a.transpose(2, 0, 1), r),
    ("T", lambda a: a.T, r), ("getitem_slice", lambda a: a[:, 1:, ::2], r),
    ("getitem_index", lambda a: a[np.array([0, 1, 1])], r),
    ("clip", lambda a: M.clip(a, -0.5, 0.5), r),
]


@pytest.mark.parametrize("name,op,make", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_gradients(name, op, make):
    check_grad(op, make(2, 3, 4))


def test_forward_values_of_reductions_and_shapes():
    a = r(2, 3, 4)
    t = Tensor(a)
    np.testing.assert_allclose(t.sum(axis=1).data, a.sum(axis=1))
    np.testing.assert_allclose(t.mean().data, a.mean())
    np.testing.assert_allclose(M.amax(t, axis=-1, keepdims=True).data, a.max(axis=-1, keepdims=True))
    assert t.reshape(4, 6).shape == (4, 6) and t.transpose(2, 1, 0).shape == (4, 3, 2)
    np.testing.assert_allclose(t[1, :, 2].data, a[1, :, 2])


def test_matmul_2d_batched_and_vector():
    check_grad(lambda a, b: a @ b, r(3, 4), r(4, 5))
    check_grad(lambda a, b: a @ b, r(2, 3, 4), r(4, 5))
    check_grad(lambda a, b: a @ b, r(2, 3, 4), r(2, 4, 5))
    np.testing.assert_allclose((Tensor(np.eye(3)) @ Tensor(np.arange(3.0))).data, np.arange(3.0))


def test_maximum_minimum_where():
    a, b = r(3, 4), r(3, 4)
    np.testing.assert_allclose(M.maximum(Tensor(a), Tensor(b)).data, np.maximum(a, b))
    check_grad(M.maximum, a, b)
    check_grad(M.minimum, a, b)
    cond = a > 0
    np.testing.assert_allclose(M.where(cond, Tensor(a), Tensor(b)).data, np.where(cond, a, b))
    check_grad(lambda x, y: M.where(cond, x, y), a, b)
    check_grad(lambda x, y: M.where(cond[:, :1], x, y), a, r(4))


def test_concatenate_and_stack():
    a, b, c = r(2, 3), r(2, 5), r(2, 1)
    out = M.concatenate([Tensor(a), Tensor(b), Tensor(c)], axis=1)
    np.testing.assert_allclose(out.data, np.concatenate([a, b, c], axis=1))
    check_grad(lambda x, y, z: M.concatenate([x, y, z], axis=-1), a, b, c)
    check_grad(lambda x, y: M.concatenate([x, y], axis=0), r(2, 3), r(4, 3))
    np.testing.assert_allclose(M.stack([Tensor(a), Tensor(a * 2)], axis=1).data, np.stack([a, a * 2], axis=1))
    check_grad(lambda x, y: M.stack([x, y], axis=1), r(2, 3), r(2, 3))


def test_float32_stays_float32_with_python_scalars():
    t = Tensor(np.ones((2, 2), dtype="float32"))
    for out in (t + 1.5, 2.0 * t, t / 3, 1 - t, t ** 2, t.mean(), t.exp()):
        assert out.dtype == np.float32
