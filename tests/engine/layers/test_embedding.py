import numpy as np
import pytest

from engine.layers.embedding import Embedding

from .checks import check_config_round_trip, check_layer_grads


def test_embedding_shape_weights_mask_and_config():
    layer = Embedding(10, 4, mask_zero=True)
    ids = np.array([[1, 2, 0], [9, 0, 0]])
    out = layer(ids)
    assert out.shape == (2, 3, 4) == (2, *layer.compute_output_shape((None, 3))[1:])
    assert [(w.name, w.shape) for w in layer.weights] == [("embeddings", (10, 4))]
    np.testing.assert_array_equal(out._keras_mask, ids != 0)
    np.testing.assert_array_equal(out.data, layer.embeddings.numpy()[ids])
    w = layer.embeddings.numpy()
    assert np.abs(w).max() <= 0.05 and w.std() > 0.01  # Keras' "uniform" initializer: U(-0.05, 0.05)
    assert Embedding(10, 4)(ids)._keras_mask is None
    clone = check_config_round_trip(layer)
    assert clone.mask_zero and clone.get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"
    Embedding.from_config({**layer.get_config(), "input_length": 3})  # Keras 2 key accepted


def test_embedding_gradient_wrt_table():
    layer = Embedding(5, 3, dtype="float64")
    ids = np.array([[1, 1, 4], [0, 1, 2]])
    layer(ids)
    grads = {}
    from engine.autograd import Tensor

    out = layer(ids)
    (out * Tensor(np.ones(out.shape))).sum().backward()
    grads = layer.embeddings.grad
    np.testing.assert_array_equal(grads[:, 0], [1, 3, 1, 0, 1])
    check_layer_grads_ids(layer, ids)


def check_layer_grads_ids(layer, ids):
    """Table gradients numerically (the integer ids themselves have none)."""
    from engine.ops.embedding import embedding
    from engine.ops.gradcheck import check_grad

    check_grad(lambda t: embedding(ids, t), layer.embeddings.numpy())


def test_embedding_errors():
    with pytest.raises(ValueError, match="input_dim"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        Embedding(3, -1)
    _ = check_layer_grads
