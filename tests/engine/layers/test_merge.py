import numpy as np
import pytest

from engine.autograd import Tensor
from engine.layers.merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract

from .checks import check_config_round_trip, check_layer_grads, check_output_shape

RNG = np.random.default_rng(0)
A, B, C3 = (RNG.standard_normal((2, 3, 4)) for _ in range(3))


@pytest.mark.parametrize("make,inputs,expected", [
    (Add, (A, B, C3), A + B + C3), (Subtract, (A, B), A - B), (Multiply, (A, B), A * B),
    (Average, (A, B, C3), (A + B + C3) / 3), (Maximum, (A, B), np.maximum(A, B)),
    (Minimum, (A, B, C3), np.minimum(np.minimum(A, B), C3)),
    (lambda **kw: Concatenate(axis=1, **kw), (A, B), np.concatenate([A, B], 1)),
    (Concatenate, (A, B[..., :2]), np.concatenate([A, B[..., :2]], -1)),
    (Add, (A, B[:, :1]), A + B[:, :1]),  # broadcasting 1 against n, as Keras
])
def test_merge_layers(make, inputs, expected):
    layer = make(dtype="float64")
    out = layer([Tensor(x) for x in inputs])
    np.testing.assert_allclose(out.data, expected, atol=1e-12)
    check_output_shape(make(), *[x.astype(np.float32) for x in inputs])
    check_config_round_trip(make())
    check_layer_grads(make(dtype="float64"), *inputs)


@pytest.mark.parametrize("axes,normalize,s1,s2", [(1, False, (3, 4), (3, 4)), (1, True, (3, 4), (3, 4)),
                                                   ((2, 2), False, (2, 3, 4), (2, 5, 4)),
                                                   ((1, 2), True, (2, 3, 4), (2, 5, 3)),
                                                   (-1, False, (2, 4), (2, 3, 4))])
def test_dot(axes, normalize, s1, s2):
    x, y = RNG.standard_normal(s1), RNG.standard_normal(s2)
    layer = Dot(axes, normalize=normalize, dtype="float64")
    out = layer([Tensor(x), Tensor(y)]).data
    a1, a2 = (axes, axes) if isinstance(axes, int) else axes
    a1, a2 = a1 % x.ndim, a2 % y.ndim
    if normalize:
        x = x / np.linalg.norm(x, axis=a1, keepdims=True)
        y = y / np.linalg.norm(y, axis=a2, keepdims=True)
    ref = np.stack([np.tensordot(x[i], y[i], axes=(a1 - 1, a2 - 1)) for i in range(len(x))])
    np.testing.assert_allclose(out, ref.reshape(out.shape), atol=1e-12)
    assert out.shape == (len(x), *layer.compute_output_shape([(None, *s1[1:]), (None, *s2[1:])])[1:])
    check_config_round_trip(Dot(axes, normalize=normalize))
    check_layer_grads(Dot(axes, normalize=normalize, dtype="float64"), RNG.standard_normal(s1), RNG.standard_normal(s2))


def test_cosine_similarity_of_equal_vectors_is_one():
    v = RNG.standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(Dot(1, normalize=True)([v, v * 3]).data, np.ones((4, 1)), rtol=1e-5)


@pytest.mark.parametrize("make,shapes,message", [
    (Add, [(None, 3)], "at least 2 inputs"),
    (Add, [(None, 3), (None, 4)], "incompatible shapes"),
    (Subtract, [(None, 3), (None, 3), (None, 3)], "exactly 2 inputs"),
    (Concatenate, [(None, 3, 2), (None, 4, 2)], "matching shapes except for the concatenation axis"),
    (lambda: Dot(1), [(None, 3), (None, 4)], "Incompatible input shapes"),
    (Add, (None, 3), "list of inputs"),
])
def test_merge_shape_errors(make, shapes, message):
    with pytest.raises(ValueError, match=message):
        make().compute_output_shape(shapes)


def test_output_shapes():
    assert Concatenate(axis=1).compute_output_shape([(None, 3, 2), (None, 4, 2)]) == (None, 7, 2)
    assert Concatenate().compute_output_shape([(None, None, 2), (None, 5, 3)]) == (None, 5, 5)
    assert Add().compute_output_shape([(None, 1, 4), (None, 3, 4)]) == (None, 3, 4)
    assert Dot((2, 2)).compute_output_shape([(None, 3, 4), (None, 5, 4)]) == (None, 3, 5)


def test_masks_are_combined():
    x = Tensor(np.ones((2, 3, 4), np.float32))
    y = Tensor(np.ones((2, 3, 4), np.float32))
    x._keras_mask = np.array([[1, 1, 0], [1, 0, 0]], bool)
    y._keras_mask = np.array([[1, 0, 0], [1, 1, 1]], bool)
    np.testing.assert_array_equal(Add()([x, y])._keras_mask, [[1, 0, 0], [1, 0, 0]])
    np.testing.assert_array_equal(Concatenate(axis=1)([x, y])._keras_mask, [[1, 1, 0, 1, 0, 0], [1, 0, 0, 1, 1, 1]])
