import numpy as np
import pytest

from engine import constraints


def test_max_norm_by_hand():
    w = np.array([[3.0, 0.3], [4.0, 0.4]], dtype=np.float32)  # column norms 5 and 0.5
    out = constraints.get("max_norm")(w)  # max_value=2, axis=0
    np.testing.assert_allclose(out[:, 0], [1.2, 1.6], rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], [0.3, 0.4], rtol=1e-6)
    assert out.dtype == np.float32


def test_non_neg_and_unit_norm():
    w = np.array([[-1.0, 2.0], [3.0, -4.0]], dtype=np.float32)
    np.testing.assert_array_equal(constraints.get("non_neg")(w), [[0, 2], [3, 0]])
    u = constraints.get("unit_norm")(np.array([[3.0], [4.0]]))
    np.testing.assert_allclose(u[:, 0], [0.6, 0.8], rtol=1e-6)
    u1 = constraints.UnitNorm(axis=1)(np.array([[3.0, 4.0]]))
    np.testing.assert_allclose(u1, [[0.6, 0.8]], rtol=1e-6)


def test_min_max_norm():
    w = np.array([[0.3], [0.4]])  # norm 0.5 → pulled up to 1 with rate 1, to 0.75 with rate 0.5
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 2.0)(w)[:, 0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(w)[:, 0], [0.45, 0.6], rtol=1e-6)


@pytest.mark.parametrize("c", [constraints.MaxNorm(3, axis=1), constraints.NonNeg(), constraints.UnitNorm(1),
                               constraints.MinMaxNorm(0.1, 0.9, 0.5, 1)])
def test_serialize_round_trip(c):
    cfg = constraints.serialize(c)
    again = constraints.get(cfg)
    assert type(again) is type(c) and again.get_config() == c.get_config()


def test_errors_and_none():
    assert constraints.get(None) is None
    with pytest.raises(ValueError, match="Unknown constraint: 'maxnorms'"):
        constraints.get("maxnorms")
