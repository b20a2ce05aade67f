"""engine.layers.core: shapes, gradients (float64), configs and Keras-style errors of the core layers."""

import json

import numpy as np
import pytest

from engine import backend
from engine.autograd import Tensor
from engine.layers import (
    ELU,
    Activation,
    Dense,
    Dropout,
    Flatten,
    Input,
    InputLayer,
    LeakyReLU,
    ReLU,
    Reshape,
    Softmax,
    deserialize,
    serialize,
)
from engine.ops.gradcheck import check_grad, numerical_grad

RNG = np.random.default_rng(0)


@pytest.fixture
def float64():
    previous = backend.floatx()
    backend.set_floatx("float64")
    yield
    backend.set_floatx(previous)


def check_layer_grad(layer, x, **call_kwargs):
    """Input and weight gradients of ``layer(x)`` against central differences."""
    x = np.asarray(x, dtype=np.float64)
    layer(Tensor(x), **call_kwargs)  # build
    check_grad(lambda t: layer(t, **call_kwargs), x)
    w = RNG.standard_normal(layer(Tensor(x), **call_kwargs).shape)
    for v in layer.trainable_weights:
        v.grad = None
    (layer(Tensor(x), **call_kwargs) * Tensor(w)).sum().backward()

    def f(*_):
        return float((layer(Tensor(x), **call_kwargs).data * w).sum())

    for v in layer.trainable_weights:
        np.testing.assert_allclose(v.grad, numerical_grad(f, [v.data], 0), atol=1e-5, rtol=1e-4,
                                   err_msg=f"gradient of {v.path}")


def roundtrip(layer):
    config = layer.get_config()
    json.dumps(config)  # JSON-able
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    again = deserialize(json.loads(json.dumps(serialize(layer))))
    assert type(again) is type(layer) and again.get_config() == config
    return clone


# ---------------------------------------------------------------- Dense


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh", "softmax", "elu", "swish"])
def test_dense_forward_matches_numpy(activation):
    layer = Dense(3, activation=activation)
    x = RNG.normal(size=(4, 5)).astype("float32")
    out = layer(x)
    assert out.shape == (4, 3) and out.dtype == np.float32
    z = x @ layer.kernel.numpy() + layer.bias.numpy()
    ref = {None: z, "relu": np.maximum(z, 0), "sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z),
           "softmax": np.exp(z) / np.exp(z).sum(-1, keepdims=True), "elu": np.where(z > 0, z, np.expm1(z)),
           "swish": z / (1 + np.exp(-z))}[activation]
    np.testing.assert_allclose(out.data, ref, rtol=1e-5, atol=1e-6)


def test_dense_weights_follow_keras_layout():
    layer = Dense(7, name="d")
    layer.build((None, 4))
    assert [w.path for w in layer.weights] == ["d/kernel", "d/bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(4, 7), (7,)]
    assert layer.count_params() == 35
    np.testing.assert_array_equal(layer.bias.numpy(), 0)
    assert Dense(3, use_bias=False).compute_output_shape((None, 2, 4)) == (None, 2, 3)


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "softmax", "selu"])
def test_dense_gradients(float64, activation):
    layer = Dense(3, activation=activation, bias_initializer="random_normal")
    check_layer_grad(layer, RNG.normal(size=(4, 5)))


def test_dense_on_3d_inputs_and_without_bias(float64):
    layer = Dense(2, use_bias=False)
    assert layer(np.ones((2, 3, 4))).shape == (2, 3, 2)
    assert len(layer.weights) == 1
    check_layer_grad(layer, RNG.normal(size=(2, 3, 4)))


def test_dense_config_roundtrip_is_keras_shaped():
    layer = Dense(5, activation="relu", kernel_regularizer="l2", kernel_constraint="max_norm", name="head")
    clone = roundtrip(layer)
    config = layer.get_config()
    assert list(config)[:4] == ["name", "trainable", "dtype", "units"]
    assert config["activation"] == "relu" and config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["kernel_regularizer"]["class_name"] == "L2"
    assert "batch_input_shape" not in config
    assert clone.units == 5 and clone.name == "head"


def test_dense_regularizers_and_activity_regularizer_add_losses():
    layer = Dense(2, kernel_regularizer="l2", bias_regularizer="l1", activity_regularizer="l2")
    out = layer(np.ones((4, 3), dtype="float32"))
    losses = layer.losses
    assert len(losses) == 3
    kernel_penalty = 0.01 * (layer.kernel.numpy() ** 2).sum()
    assert float(losses[0].data) == pytest.approx(kernel_penalty, rel=1e-5)
    assert float(losses[2].data) == pytest.approx(0.01 * (out.data ** 2).sum() / 4, rel=1e-5)


def test_dense_bad_arguments_are_keras_style_errors():
    with pytest.raises(ValueError, match=r"expected a positive integer. Received: units=0"):
        Dense(0)
    with pytest.raises(ValueError, match=r"Received: units=-3"):
        Dense(-3)
    with pytest.raises(ValueError, match="Unknown activation: 'relux'"):
        Dense(3, activation="relux")
    with pytest.raises(TypeError, match="unknown keyword arguments"):
        Dense(3, unitz=4)


def test_dense_wrong_input_shape_names_layer_axis_and_shapes():
    layer = Dense(4, name="dense")
    layer(np.ones((2, 100)))
    with pytest.raises(ValueError) as err:
        layer(np.ones((32, 50)))
    assert str(err.value) == ("Input 0 of layer 'dense' is incompatible with the layer: expected axis -1 of "
                              "input shape to have value 100, but received input with shape (32, 50)")
    with pytest.raises(ValueError, match="expected min_ndim=2"):
        Dense(3)(np.ones(4))


def test_frozen_layer_has_no_trainable_weights_and_no_gradients():
    layer = Dense(2)
    layer(np.ones((1, 3)))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.kernel.requires_grad
    layer.trainable = True
    assert len(layer.trainable_weights) == 2 and layer.kernel.requires_grad


def test_weights_argument_sets_initial_values():
    k, b = np.full((3, 2), 0.5, dtype="float32"), np.array([1.0, -1.0], dtype="float32")
    layer = Dense(2, weights=[k, b])
    np.testing.assert_allclose(layer(np.ones((1, 3))).data, [[2.5, 0.5]])


# ---------------------------------------------------------------- Activation layers


@pytest.mark.parametrize("layer,ref", [
    (ReLU(), lambda x: np.maximum(x, 0)),
    (ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2),
     lambda x: np.where(x >= 0.5, 0.5, np.where(x >= 0.2, x, 0.1 * (x - 0.2)))),
    (LeakyReLU(), lambda x: np.where(x >= 0, x, 0.3 * x)),
    (LeakyReLU(negative_slope=0.1), lambda x: np.where(x >= 0, x, 0.1 * x)),
    (ELU(alpha=0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    (Softmax(), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    (Softmax(axis=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (Activation("tanh"), np.tanh),
], ids=["relu", "relu_args", "leaky", "leaky_0.1", "elu", "softmax", "softmax_axis1", "activation"])
def test_activation_layers_forward_grad_config(float64, layer, ref):
    x = RNG.normal(size=(3, 4, 5))
    x[np.abs(x) < 0.05] = 0.3  # no kinks inside the finite-difference step
    x[np.abs(x - 0.2) < 0.05] = 0.3
    x[np.abs(x - 0.5) < 0.05] = 0.7
    np.testing.assert_allclose(layer(x).data, ref(x), rtol=1e-6, atol=1e-7)
    assert layer.compute_output_shape((None, 4, 5)) == (None, 4, 5)
    check_grad(lambda t: layer(t), x)
    roundtrip(layer)


def test_leaky_relu_accepts_keras2_alpha():
    layer = LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2 and layer.get_config()["negative_slope"] == 0.2
    assert "alpha" not in layer.get_config()


def test_activation_layer_argument_errors():
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative value"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="cannot be None or negative"):
        LeakyReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="Unknown activation"):
        Activation("nope")


def test_softmax_mask_zeroes_masked_positions():
    out = Softmax()(np.zeros((1, 4)), mask=np.array([[True, True, False, True]])).data
    np.testing.assert_allclose(out, [[1 / 3, 1 / 3, 0, 1 / 3]], atol=1e-7)


# ---------------------------------------------------------------- Dropout


def test_dropout_is_identity_at_inference_and_scales_in_training():
    layer = Dropout(0.5, seed=3)
    x = np.ones((100, 50), dtype="float32")
    np.testing.assert_array_equal(layer(x).data, x)
    np.testing.assert_array_equal(layer(x, training=False).data, x)
    out = layer(x, training=True).data
    assert set(np.unique(out)) == {0.0, 2.0} and 0.4 < (out == 0).mean() < 0.6
    assert Dropout(0.0)(x, training=True).data is not None


def test_dropout_seed_repeats_and_noise_shape_broadcasts():
    x = np.ones((4, 10, 3), dtype="float32")
    a = Dropout(0.5, seed=7)(x, training=True).data
    b = Dropout(0.5, seed=7)(x, training=True).data
    np.testing.assert_array_equal(a, b)
    out = Dropout(0.5, noise_shape=(None, 1, 3), seed=1)(x, training=True).data
    assert (out == out[:, :1, :]).all()


def test_dropout_gradient_and_config(float64):
    layer = Dropout(0.3, seed=5)
    x = RNG.normal(size=(3, 4))
    check_grad(lambda t: Dropout(0.3, seed=5)(t, training=True), x)
    assert roundtrip(layer).rate == 0.3
    with pytest.raises(ValueError, match=r"between 0 and 1. Received: rate=1.5"):
        Dropout(1.5)


# ---------------------------------------------------------------- Flatten / Reshape


def test_flatten_keeps_h_w_c_order(float64):
    x = np.arange(2 * 3 * 4 * 5, dtype="float64").reshape(2, 3, 4, 5)
    out = Flatten()(x)
    np.testing.assert_array_equal(out.data, x.reshape(2, -1))
    assert Flatten().compute_output_shape((None, 3, 4, 5)) == (None, 60)
    assert Flatten().compute_output_shape((None, None, 5)) == (None, None)
    first = Flatten(data_format="channels_first")(x).data
    np.testing.assert_array_equal(first, x.transpose(0, 2, 3, 1).reshape(2, -1))
    check_grad(lambda t: Flatten()(t), RNG.normal(size=(2, 3, 2)))
    roundtrip(Flatten())


def test_reshape_with_minus_one_and_errors(float64):
    layer = Reshape((-1, 4))
    assert layer(np.zeros((2, 3, 8))).shape == (2, 6, 4)
    assert layer.compute_output_shape((None, 3, 8)) == (None, 6, 4)
    assert layer.compute_output_shape((None, None, 8)) == (None, None, 4)
    check_grad(lambda t: Reshape((6,))(t), RNG.normal(size=(2, 3, 2)))
    assert roundtrip(Reshape((2, 3))).target_shape == (2, 3)
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        Reshape((5,))(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="at most one -1"):
        Reshape((-1, -1))


# ---------------------------------------------------------------- Input


def test_input_returns_a_symbolic_tensor_of_an_input_layer():
    x = Input(shape=(4,), name="features")
    assert x._is_symbolic and x.shape == (None, 4)
    layer = x._keras_history[0]
    assert isinstance(layer, InputLayer) and layer.name == "features"
    assert Input(batch_shape=(8, 3)).shape == (8, 3)
    assert Input((2, 3), batch_size=5).shape == (5, 2, 3)
    config = layer.get_config()
    assert config == {"batch_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False,
                      "name": "features", "optional": False}
    assert InputLayer.from_config(config).batch_shape == (None, 4)
    assert InputLayer(batch_input_shape=[None, 7]).batch_shape == (None, 7)  # Keras 2 configs
    with pytest.raises(ValueError, match="shape"):
        Input()


def test_dense_on_a_symbolic_tensor_builds_and_infers_shape():
    x = Input((6,))
    layer = Dense(3)
    y = layer(x)
    assert y.shape == (None, 3) and layer.built and layer.kernel.shape == (6, 3)
    assert layer.output is y and layer.input is x
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 6"):
        layer(Input((5,)))
