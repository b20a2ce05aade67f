"""engine.autograd: Tensor, Function, backward over shared and deep graphs, no_grad, unbroadcast."""

import numpy as np
import pytest

from engine.autograd import Function, Tensor, no_grad, unbroadcast
from engine.ops.gradcheck import check_grad


def test_leaf_gradients_of_a_small_expression():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = Tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    ((x * y + x) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * (x.data * y.data + x.data) * (y.data + 1))
    np.testing.assert_allclose(y.grad, 2 * (x.data * y.data + x.data) * x.data)


def test_a_tensor_used_twice_accumulates_both_paths():
    x = Tensor(np.array(3.0), requires_grad=True)
    a = x * 2
    (a * a + a).backward()  # d/dx (4x² + 2x) = 8x + 2
    assert float(x.grad) == pytest.approx(26.0)


def test_gradients_accumulate_across_backward_calls_until_reset():
    x = Tensor(np.ones(3), requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, 5.0)
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad, 1.0)


def test_deep_chains_do_not_recurse():
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert float(x.grad) == pytest.approx(1.0001 ** 5000, rel=1e-6)


def test_no_grad_records_nothing():
    x = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        y = x * 2
    assert not y.requires_grad and y._ctx is None
    assert (x * 2).requires_grad


def test_inputs_without_grad_get_none():
    w = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.full(3, 2.0))
    (w * c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(w.grad, 2.0)


def test_backward_frees_the_graph():
    x = Tensor(np.ones(2), requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    assert y._ctx is None


def test_unbroadcast_sums_to_the_input_shape():
    g = np.ones((2, 3, 4))
    assert unbroadcast(g, (3, 4)).shape == (3, 4) and unbroadcast(g, (3, 4))[0, 0] == 2
    assert unbroadcast(g, (1, 4)).shape == (1, 4) and unbroadcast(g, (1, 4))[0, 0] == 6
    assert unbroadcast(g, ()).shape == () and unbroadcast(g, ()) == 24


def test_a_custom_function_plugs_in():
    class Cube(Function):
        def forward(self, a):
            self.a = a
            return a ** 3

        def backward(self, g):
            return g * 3 * self.a ** 2

    check_grad(lambda t: Cube.apply(t), np.random.default_rng(0).normal(size=(3, 2)))


def test_operators_with_numpy_on_the_left_give_tensors():
    t = Tensor(np.ones(2), requires_grad=True)
    out = np.array([1.0, 2.0]) * t
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_allclose(t.grad, [1.0, 2.0])


def test_tensor_surface():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.shape == (2, 2) and t.ndim == 2 and t.size == 4 and len(t) == 2
    assert isinstance(t.numpy(), np.ndarray) and "shape=(2, 2)" in repr(t)
    assert t.detach()._ctx is None


def test_census_counts_the_elements_every_op_outputs():
    from engine.autograd import census

    a = Tensor(np.ones((3, 4), dtype="float32"), requires_grad=True)
    with census() as count:
        b = a * 2.0  # 12 (and the scalar's conversion is no op)
        c = b.sum(axis=1)  # 3
    assert count[0] == 12 + 3
    with census() as outer:
        with census() as inner:
            (a + a).sum()
        assert inner[0] == 12 + 1
    assert outer[0] == 0  # the innermost count takes it
    c.backward(np.ones(3, "float32"))  # counting never touched the graph
    np.testing.assert_array_equal(a.grad, np.full((3, 4), 2.0, "float32"))


def test_backward_from_two_roots_sharing_a_node_into_a_leaf_dict():
    from engine.autograd import backward

    w = Tensor(np.array([1.0, 2.0], dtype="float32"), requires_grad=True)
    h = w * 3.0
    first, second = h * 2.0, h.sum()
    sink = {}
    backward([first, second], [np.ones(2, "float32"), None], leaf_grads=sink)
    assert w.grad is None  # nothing written on the leaf itself
    leaf, grad = sink[id(w)]
    assert leaf is w
    np.testing.assert_allclose(grad, [3.0 * 2.0 + 3.0, 3.0 * 2.0 + 3.0])
