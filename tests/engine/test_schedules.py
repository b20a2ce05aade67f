import math

import pytest

from engine import schedules


def test_exponential_decay():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(10) == pytest.approx(0.05)
    assert s(5) == pytest.approx(0.1 * 0.5**0.5)
    st = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert st(9) == pytest.approx(0.1) and st(10) == pytest.approx(0.05) and st(25) == pytest.approx(0.025)


def test_piecewise_constant():
    s = schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
    assert [s(0), s(100), s(101), s(200), s(201), s(10_000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="1 less than"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])


def test_inverse_time_decay():
    s = schedules.InverseTimeDecay(1.0, decay_steps=2, decay_rate=0.5)
    assert s(0) == 1.0 and s(2) == pytest.approx(1 / 1.5) and s(3) == pytest.approx(1 / 1.75)
    st = schedules.InverseTimeDecay(1.0, 2, 0.5, staircase=True)
    assert st(3) == pytest.approx(1 / 1.5)


def test_cosine_decay():
    s = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    assert s(0) == pytest.approx(0.1)
    assert s(50) == pytest.approx(0.1 * (0.9 * 0.5 + 0.1))
    assert s(100) == pytest.approx(0.01) and s(500) == pytest.approx(0.01)
    assert s(25) == pytest.approx(0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi / 4)) + 0.1))
    w = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert w(0) == 0.0 and w(2) == pytest.approx(0.5) and w(4) == pytest.approx(1.0)
    assert w(9) == pytest.approx(0.5) and w(100) == pytest.approx(0.0)


def test_polynomial_decay():
    s = schedules.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.0, power=2.0)
    assert s(5) == pytest.approx(0.25) and s(20) == 0.0


@pytest.mark.parametrize("s", [schedules.ExponentialDecay(0.1, 10, 0.9, True),
                               schedules.PiecewiseConstantDecay([5], [1.0, 0.1]),
                               schedules.InverseTimeDecay(0.1, 3, 0.2), schedules.CosineDecay(0.1, 10, 0.1),
                               schedules.PolynomialDecay(0.1, 10)])
def test_config_round_trip(s):
    cfg = schedules.serialize(s)
    again = schedules.deserialize(cfg)
    assert type(again) is type(s) and again.get_config() == s.get_config() and again(7) == s(7)


def test_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="Unknown learning rate schedule"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
