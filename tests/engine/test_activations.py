import math
import warnings

import numpy as np
import pytest

from engine import activations
from engine.autograd import Tensor
from engine.ops.gradcheck import check_grad

X = np.array([[-3.5, -1.2, -0.3, 0.0], [0.4, 1.1, 2.9, 4.0]])
# inputs away from kinks (0, ±3, 6) for numerical gradients
XG = np.array([[-3.7, -1.2, -0.3, 0.2], [0.4, 1.1, 2.6, 4.3]])


def _sig(v):
    return 1 / (1 + math.exp(-v))


def _erf_gelu(v):
    return 0.5 * v * (1 + math.erf(v / math.sqrt(2)))


def _tanh_gelu(v):
    return 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))


ALPHA, SCALE = 1.6732632423543772, 1.0507009873554805
FORMULAS = {
    "relu": lambda v: max(v, 0.0),
    "leaky_relu": lambda v: v if v > 0 else 0.2 * v,
    "elu": lambda v: v if v > 0 else math.exp(v) - 1,
    "selu": lambda v: SCALE * v if v > 0 else SCALE * ALPHA * (math.exp(v) - 1),
    "sigmoid": _sig,
    "tanh": math.tanh,
    "softplus": lambda v: math.log(1 + math.exp(v)),
    "softsign": lambda v: v / (1 + abs(v)),
    "gelu": _erf_gelu,
    "silu": lambda v: v * _sig(v),
    "swish": lambda v: v * _sig(v),
    "hard_sigmoid": lambda v: min(max(v + 3, 0), 6) / 6,
    "hard_silu": lambda v: v * min(max(v + 3, 0), 6) / 6,
    "relu6": lambda v: min(max(v, 0), 6),
    "mish": lambda v: v * math.tanh(math.log(1 + math.exp(v))),
    "exponential": math.exp,
    "linear": lambda v: v,
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_elementwise_values_match_formulas(name):
    got = activations.get(name)(Tensor(X)).data
    expected = np.vectorize(FORMULAS[name], otypes=[float])(X)
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS.names()))
def test_gradients_match_numerical(name):
    fn = activations.get(name)
    check_grad(lambda t: fn(t), XG)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS.names()))
def test_float32_stays_float32(name):
    out = activations.get(name)(Tensor(X.astype(np.float32), requires_grad=True))
    assert out.dtype == np.float32
    out.sum().backward() if name != "linear" else None


def test_float32_gradients_stay_float32():
    for name in activations.ACTIVATIONS.names():
        if name == "linear":
            continue
        t = Tensor(X.astype(np.float32), requires_grad=True)
        activations.get(name)(t).sum().backward()
        assert t.grad.dtype == np.float32, name


def test_softmax_values_and_axis():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = np.exp([1.0, 2.0, 3.0])
    got = activations.softmax(Tensor(x)).data
    np.testing.assert_allclose(got[0], e / e.sum())
    np.testing.assert_allclose(got[1], [1 / 3] * 3)
    got0 = activations.softmax(Tensor(x), axis=0).data
    np.testing.assert_allclose(got0[:, 0], [math.e / (math.e + 1), 1 / (math.e + 1)])
    check_grad(lambda t: activations.softmax(t, axis=0), x)
    # large logits do not overflow
    big = activations.softmax(Tensor(np.array([[1000.0, 0.0]], dtype=np.float32))).data
    np.testing.assert_allclose(big, [[1.0, 0.0]])


def test_log_softmax_values():
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(activations.log_softmax(Tensor(x)).data,
                               x - math.log(math.exp(1) + math.exp(2) + math.exp(3)))


def test_gelu_approximate_matches_tanh_formula_and_grad():
    got = activations.gelu(Tensor(X), approximate=True).data
    np.testing.assert_allclose(got, np.vectorize(_tanh_gelu)(X), rtol=1e-7, atol=1e-12)
    check_grad(lambda t: activations.gelu(t, approximate=True), XG)


def test_relu_options_as_keras():
    x = np.array([-2.0, -0.5, 0.5, 1.5, 3.0, 8.0])
    np.testing.assert_allclose(activations.relu(Tensor(x), max_value=6.0).data, [0, 0, 0.5, 1.5, 3, 6])
    np.testing.assert_allclose(activations.relu(Tensor(x), threshold=1.0).data, [0, 0, 0, 1.5, 3, 8])
    np.testing.assert_allclose(activations.relu(Tensor(x), negative_slope=0.1).data,
                               [-0.2, -0.05, 0.5, 1.5, 3, 8])
    check_grad(lambda t: activations.relu(t, negative_slope=0.1, max_value=5.0), x)
    np.testing.assert_allclose(activations.leaky_relu(Tensor(x), negative_slope=0.3).data[:2], [-0.6, -0.15])
    np.testing.assert_allclose(activations.elu(Tensor(x), alpha=2.0).data[0], 2 * (math.exp(-2) - 1))


def test_sigmoid_extremes_are_finite_and_small_values_precise():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = activations.sigmoid(Tensor(np.array([-1e4, 1e4, -20.0, -15.0], dtype=np.float32))).data
    assert np.all(np.isfinite(out)) and out[0] == 0.0 and out[1] == 1.0
    np.testing.assert_allclose(out[2:], [1 / (1 + math.exp(20)), 1 / (1 + math.exp(15))], rtol=1e-6)


def test_get_accepts_names_aliases_callables_and_none():
    assert activations.get("ReLU") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get(None) is activations.linear
    f = lambda t: t  # noqa: E731
    assert activations.get(f) is f
    assert activations.get({"class_name": "tanh", "config": {}}) is activations.tanh


def test_unknown_activation_has_keras_message():
    with pytest.raises(ValueError, match=r"Unknown activation: 'relux'. Expected one of: .*relu"):
        activations.get("relux")


@pytest.mark.parametrize("name", ["relu", "softmax", "sigmoid", "tanh", "linear", "gelu", "elu", "selu"])
def test_serialize_round_trip(name):
    assert activations.serialize(activations.get(name)) == name
    assert activations.get(activations.serialize(activations.get(name))) is activations.get(name)


def test_serialize_rejects_unregistered():
    with pytest.raises(ValueError, match="not a registered activation"):
        activations.serialize(lambda t: t)


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS.names()))
def test_gpu_matches_cpu(gpu, name):
    x32 = XG.astype(np.float32)
    fn = activations.get(name)
    cpu_in = Tensor(x32, requires_grad=True)
    cpu_out = fn(cpu_in)
    (cpu_out * 1.0).sum().backward()
    dev_in = Tensor(gpu.asarray(x32), requires_grad=True)
    dev_out = fn(dev_in)
    (dev_out * 1.0).sum().backward()
    assert isinstance(dev_out.data, gpu.ndarray) and dev_out.dtype == np.float32
    np.testing.assert_allclose(gpu.asnumpy(dev_out.data), cpu_out.data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gpu.asnumpy(dev_in.grad), cpu_in.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(set(activations.ACTIVATIONS.names()) - {"linear"}))
def test_fusable_op_on_raw_arrays_matches_activation(name):
    cls = activations.fusable(name)
    op = cls()
    out = op.forward(XG.copy())
    np.testing.assert_allclose(out, activations.get(name)(Tensor(XG)).data)
    g = np.random.default_rng(0).standard_normal(XG.shape)
    t = Tensor(XG.copy(), requires_grad=True)
    (activations.get(name)(t) * Tensor(g)).sum().backward()
    np.testing.assert_allclose(op.backward(g), t.grad, rtol=1e-12)
    assert activations.fusable("linear") is None and activations.fusable(lambda x: x) is None
