import math

import numpy as np
import pytest

from engine import backend, initializers
from engine.initializers import compute_fans


def test_fans_as_keras():
    assert compute_fans((5,)) == (5, 5)
    assert compute_fans((3, 7)) == (3, 7)
    assert compute_fans((3, 3, 4, 8)) == (36, 72)


@pytest.mark.parametrize("name,shape,limit", [
    ("glorot_uniform", (200, 300), math.sqrt(6 / 500)),
    ("he_uniform", (200, 300), math.sqrt(6 / 200)),
    ("lecun_uniform", (200, 300), math.sqrt(3 / 200)),
    ("glorot_uniform", (3, 3, 16, 32), math.sqrt(6 / (9 * 48))),
])
def test_uniform_limits_and_spread(name, shape, limit):
    w = initializers.get(name)(shape)
    assert w.shape == shape and w.dtype == np.float32
    assert np.abs(w).max() <= limit + 1e-7
    # a uniform(-l, l) has std l/sqrt(3)
    assert abs(w.std() - limit / math.sqrt(3)) < 0.03 * limit


@pytest.mark.parametrize("name,shape,std", [
    ("glorot_normal", (300, 200), math.sqrt(2 / 500)),
    ("he_normal", (300, 200), math.sqrt(2 / 300)),
    ("lecun_normal", (300, 200), math.sqrt(1 / 300)),
])
def test_truncated_normal_variance_scaling(name, shape, std):
    w = initializers.get(name)(shape)
    # Keras divides by .8796 so that the truncated distribution keeps the intended std
    assert abs(w.std() - std) < 0.03 * std
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_simple_initializers():
    np.testing.assert_array_equal(initializers.get("zeros")((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.get("ones")((2,)), np.ones(2))
    np.testing.assert_array_equal(initializers.Constant(2.5)((2,)), [2.5, 2.5])
    np.testing.assert_array_equal(initializers.get("identity")((2, 3)), np.eye(2, 3))
    w = initializers.RandomUniform(-0.1, 0.2, seed=1)((1000,))
    assert w.min() >= -0.1 and w.max() <= 0.2
    w = initializers.RandomNormal(mean=1.0, stddev=0.5, seed=1)((4000,))
    assert abs(w.mean() - 1.0) < 0.05 and abs(w.std() - 0.5) < 0.05
    w = initializers.TruncatedNormal(stddev=1.0, seed=1)((4000,))
    assert np.abs(w).max() <= 2.0


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 5)])
def test_orthogonal(shape):
    w = initializers.get("orthogonal")(shape).astype(np.float64).reshape(-1, shape[-1])
    small = min(w.shape)
    gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


def test_seeds_make_draws_repeatable():
    a = initializers.GlorotUniform(seed=3)((4, 4))
    b = initializers.GlorotUniform(seed=3)((4, 4))
    np.testing.assert_array_equal(a, b)
    backend.set_seed(7)
    c = initializers.get("he_normal")((4, 4))
    backend.set_seed(7)
    d = initializers.get("he_normal")((4, 4))
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(initializers.get("he_normal")((4, 4)), d)


def test_dtype_argument():
    assert initializers.get("glorot_uniform")((2, 2), dtype="float64").dtype == np.float64


@pytest.mark.parametrize("init", [initializers.GlorotUniform(seed=2), initializers.Zeros(), initializers.Constant(3.0),
                                  initializers.VarianceScaling(2.0, "fan_out", "uniform"),
                                  initializers.RandomNormal(0.5, 0.1), initializers.Orthogonal(gain=2.0)])
def test_serialize_round_trip(init):
    config = initializers.serialize(init)
    assert config["module"] == "keras.initializers" and config["class_name"] == type(init).__name__
    again = initializers.get(config)
    assert type(again) is type(init) and again.get_config() == init.get_config()


def test_keras_glorot_config_with_axes_loads():
    cfg = {"module": "keras.initializers", "class_name": "GlorotUniform",
           "config": {"seed": None, "input_axes": None, "output_axes": None}, "registered_name": None}
    assert isinstance(initializers.get(cfg), initializers.GlorotUniform)
    old = {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.1, "seed": None, "dtype": "float32"}}
    assert initializers.get(old).stddev == 0.1


def test_errors():
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'. Expected one of"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan")
