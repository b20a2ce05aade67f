import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from engine.autograd import Tensor
from engine.layers.conv import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    DepthwiseConv2D,
    SeparableConv2D,
)
from engine.ops.conv import conv2d, conv2d_transpose, depthwise_conv2d

from .checks import check_config_round_trip, check_layer_grads, check_output_shape

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("layer,shape", [
    (lambda: Conv2D(3, 3), (2, 5, 5, 2)),
    (lambda: Conv2D(4, (3, 2), strides=2, padding="same", activation="relu"), (2, 7, 6, 3)),
    (lambda: Conv2D(4, 2, dilation_rate=2, padding="same", groups=2, use_bias=False), (1, 6, 5, 2)),
    (lambda: Conv2D(2, 3, data_format="channels_first"), (2, 3, 6, 5)),
    (lambda: Conv1D(3, 3, padding="causal", dilation_rate=2), (2, 7, 2)),
    (lambda: Conv1D(3, 2, strides=2, padding="same", activation="tanh"), (2, 7, 2)),
    (lambda: Conv2DTranspose(3, 3, strides=2, padding="same"), (2, 3, 4, 2)),
    (lambda: Conv2DTranspose(2, (2, 3), strides=(2, 1), output_padding=(1, 0)), (1, 3, 3, 2)),
    (lambda: Conv1DTranspose(3, 4, strides=2, padding="same", output_padding=1, activation="relu"), (2, 4, 2)),
    (lambda: Conv1DTranspose(2, 3, dilation_rate=2, data_format="channels_first"), (1, 2, 5)),
    (lambda: Conv3D(2, 2, activation="relu"), (1, 3, 3, 3, 2)),
    (lambda: Conv3D(4, 2, groups=2, padding="same"), (1, 2, 3, 2, 4)),
    (lambda: Conv3D(2, (2, 1, 2), strides=(2, 1, 1), padding="same", data_format="channels_first"), (1, 2, 3, 2, 3)),
    (lambda: DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (2, 4, 4, 3)),
    (lambda: SeparableConv2D(4, 2, strides=2, depth_multiplier=2, activation="relu"), (2, 5, 5, 2)),
])
def test_conv_layers_shapes_config_and_gradients(layer, shape):
    x = RNG.standard_normal(shape)
    check_output_shape(layer(), x.astype(np.float32))
    check_config_round_trip(layer())
    lay = layer()
    lay.dtype = "float64"
    check_layer_grads(lay, x)


def test_conv2d_layer_uses_keras_layout_and_matches_op():
    layer = Conv2D(5, (3, 2), padding="same", activation="relu")
    x = RNG.standard_normal((2, 6, 7, 3)).astype(np.float32)
    out = layer(x)
    assert [w.shape for w in layer.weights] == [(3, 2, 3, 5), (5,)]
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    ref = np.maximum(conv2d(Tensor(x), layer.kernel, layer.bias, padding="same").data, 0)
    np.testing.assert_allclose(out.data, ref, rtol=1e-6)


def test_channels_first_equals_transposed_channels_last():
    x = RNG.standard_normal((2, 3, 6, 5)).astype(np.float32)
    first = Conv2D(4, 3, padding="same", data_format="channels_first")
    last = Conv2D(4, 3, padding="same")
    out_first = first(x)
    last(x.transpose(0, 2, 3, 1))
    last.set_weights(first.get_weights())
    np.testing.assert_allclose(out_first.data, last(x.transpose(0, 2, 3, 1)).data.transpose(0, 3, 1, 2), rtol=1e-5)


def test_depthwise_and_separable_weights():
    dw = DepthwiseConv2D(3, depth_multiplier=2)
    x = RNG.standard_normal((1, 5, 5, 3)).astype(np.float32)
    out = dw(x)
    assert [w.name for w in dw.weights] == ["depthwise_kernel", "bias"]
    assert [w.shape for w in dw.weights] == [(3, 3, 3, 2), (6,)]
    np.testing.assert_allclose(out.data, depthwise_conv2d(Tensor(x), dw.depthwise_kernel, dw.bias).data)
    sep = SeparableConv2D(4, 3)
    sep(x)
    assert [w.shape for w in sep.weights] == [(3, 3, 3, 1), (1, 1, 3, 4), (4,)]
    t = Conv2DTranspose(6, 3)
    t(x)
    assert [w.shape for w in t.weights] == [(3, 3, 6, 3), (6,)]  # (kh, kw, filters, in)
    t1 = Conv1DTranspose(5, 2)
    x1 = Tensor(RNG.standard_normal((2, 4, 3)).astype(np.float32))
    out1 = t1(x1)
    assert [(w.name, w.shape) for w in t1.weights] == [("kernel", (2, 5, 3)), ("bias", (5,))]  # (k, filters, in)
    # the 1-D layer equals the 2-D one on a height-1 view with the same kernel
    np.testing.assert_allclose(out1.data, conv2d_transpose(Tensor(x1.data[:, None]), Tensor(t1.kernel.data[None]),
                                                           t1.bias).data[:, 0], atol=1e-6)


@pytest.mark.parametrize("make,shape,message", [
    (lambda: Conv2D(4, 3), (None, 2, 2, 1), "Computed output size would be negative"),
    (lambda: Conv2D(4, 3), (None, 8, 8), "expected ndim=4"),
    (lambda: Conv2D(4, 3, groups=2), (None, 8, 8, 3), "divisible by the number of groups"),
    (lambda: Conv1D(4, 3), (None, 8, 8, 1), "expected ndim=3"),
    (lambda: Conv1DTranspose(4, 3), (None, 8, 8, 1), "expected ndim=3"),
])
def test_shape_errors_in_keras_wording(make, shape, message):
    with pytest.raises(ValueError, match=message):
        make().compute_output_shape(shape)


@pytest.mark.parametrize("kwargs,message", [
    (dict(filters=0, kernel_size=3), "filters"), (dict(filters=4, kernel_size=(3, 3, 3)), "kernel_size"),
    (dict(filters=4, kernel_size=3, padding="full"), "padding"),
    (dict(filters=3, kernel_size=3, groups=2), "evenly divisible"),
    (dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(**kwargs)


def test_compute_output_shape_allocates_nothing_and_handles_none():
    layer = Conv2D(8, 3, strides=2, padding="same")
    assert layer.compute_output_shape((None, None, 9, 3)) == (None, None, 5, 8)
    assert not layer.built and layer.weights == []
    assert Conv1D(2, 4, padding="causal").compute_output_shape((None, 10, 1)) == (None, 10, 2)
    assert Conv2DTranspose(2, 3, strides=2).compute_output_shape((None, 4, 5, 1)) == (None, 9, 11, 2)
    assert Conv1DTranspose(2, 3, strides=2).compute_output_shape((None, 4, 1)) == (None, 9, 2)
    assert Conv1DTranspose(2, 3, strides=2, padding="same").compute_output_shape((None, None, 1)) == (None, None, 2)


def test_small_cnn_learns_sklearn_digits():
    """Conv → BatchNorm → MaxPool → Conv → Dense on the 8x8 digits reaches >= 0.97 test accuracy."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from engine.backend import set_seed
    from engine.layers.core import Dense, Flatten, Input
    from engine.layers.normalization import BatchNormalization
    from engine.layers.pooling import MaxPooling2D
    from engine.models import Sequential
    from engine.optimizers import Adam

    set_seed(0)
    digits = load_digits()
    x = (digits.data / 16).astype(np.float32).reshape(-1, 8, 8, 1)
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0,
                                                        stratify=digits.target)
    model = Sequential([Input((8, 8, 1)), Conv2D(16, 3, padding="same", activation="relu"), BatchNormalization(),
                        MaxPooling2D(), Conv2D(32, 3, activation="relu"), Flatten(), Dense(10, activation="softmax")])
    model.compile(optimizer=Adam(0.005), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with threadpool_limits(limits=1, user_api="blas"):  # tiny GEMMs: threads only add sync cost
        model.fit(x_train, y_train, epochs=8, batch_size=32, verbose=0)
        model.optimizer.learning_rate = 0.0005  # anneal: the last epochs settle instead of oscillating
        model.fit(x_train, y_train, epochs=3, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.97


def test_conv1d_transpose_in_a_graph_and_its_errors():
    from engine.graph import validate  # noqa: PLC0415 - only this test needs the graph package

    g = {"nodes": [{"id": "in", "layer": "Input", "params": {"shape": [6, 2]}},
                   {"id": "up", "layer": "Conv1DTranspose", "params": {"filters": 4, "kernel_size": 3, "strides": 2}},
                   {"id": "out", "layer": "Dense", "params": {"units": 1}}],
         "edges": [{"source": "in", "target": "up"}, {"source": "up", "target": "out"}]}
    r = validate(g)
    assert r["ok"], r["errors"]
    assert r["shapes"]["up"] == [None, 13, 4]
    assert r["params"]["up"] == 3 * 4 * 2 + 4
    with pytest.raises(ValueError, match="greater than output padding"):
        Conv1DTranspose(2, 3, strides=2, output_padding=2)


def test_conv3d_layer_layout_shapes_and_graph():
    from engine.graph import validate  # noqa: PLC0415 - only this test needs the graph package
    from engine.ops.conv3d import conv3d  # noqa: PLC0415

    layer = Conv3D(4, (3, 2, 2), strides=2, padding="same")
    assert layer.compute_output_shape((None, 5, None, 4, 3)) == (None, 3, None, 2, 4) and not layer.weights
    x = Tensor(RNG.standard_normal((2, 5, 4, 4, 3)).astype(np.float32))
    out = layer(x)
    assert [(w.name, w.shape) for w in layer.weights] == [("kernel", (3, 2, 2, 3, 4)), ("bias", (4,))]
    np.testing.assert_allclose(out.data, conv3d(x, layer.kernel, layer.bias, strides=2, padding="same").data)
    with pytest.raises(ValueError, match="divisible by the number of groups"):
        Conv3D(4, 3, groups=2).compute_output_shape((None, 4, 4, 4, 3))
    with pytest.raises(ValueError, match="expected ndim=5"):
        Conv3D(4, 3).compute_output_shape((None, 8, 8, 1))
    g = {"nodes": [{"id": "in", "layer": "Input", "params": {"shape": [6, 6, 6, 1]}},
                   {"id": "c", "layer": "Conv3D", "params": {"filters": 4, "kernel_size": 3}},
                   {"id": "p", "layer": "MaxPooling3D", "params": {"pool_size": 2}},
                   {"id": "a", "layer": "AveragePooling3D", "params": {"pool_size": 2, "padding": "same"}},
                   {"id": "gp", "layer": "GlobalAveragePooling3D", "params": {}},
                   {"id": "out", "layer": "Dense", "params": {"units": 2}}],
         "edges": [{"source": s, "target": t} for s, t in (("in", "c"), ("c", "p"), ("p", "a"), ("a", "gp"),
                                                            ("gp", "out"))]}
    r = validate(g)
    assert r["ok"], r["errors"]
    assert r["shapes"]["c"] == [None, 4, 4, 4, 4] and r["shapes"]["p"] == [None, 2, 2, 2, 4]
    assert r["shapes"]["a"] == [None, 1, 1, 1, 4] and r["shapes"]["gp"] == [None, 4]
    assert r["params"]["c"] == 27 * 4 + 4
