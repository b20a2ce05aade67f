import numpy as np
import pytest

from engine import regularizers
from engine.autograd import Tensor
from engine.ops.gradcheck import check_grad

W = np.array([[1.0, -2.0], [0.5, 3.0]])


def test_values_by_hand():
    # sum|w| = 6.5, sum w^2 = 1 + 4 + 0.25 + 9 = 14.25
    assert float(regularizers.get("l1")(Tensor(W)).data) == pytest.approx(0.01 * 6.5)
    assert float(regularizers.get("l2")(Tensor(W)).data) == pytest.approx(0.01 * 14.25)
    assert float(regularizers.get("l1_l2")(Tensor(W)).data) == pytest.approx(0.01 * 6.5 + 0.01 * 14.25)
    assert float(regularizers.L1L2(l2=0.5)(Tensor(W)).data) == pytest.approx(0.5 * 14.25)
    assert float(regularizers.L1L2()(Tensor(W)).data) == 0.0


def test_gradients():
    check_grad(lambda t: regularizers.L1L2(0.3, 0.7)(t), W)
    check_grad(lambda t: regularizers.l2(0.1)(t), W)


def test_float32():
    assert regularizers.l1_l2()(Tensor(W.astype(np.float32))).dtype == np.float32


@pytest.mark.parametrize("reg", [regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(0.1, 0.4)])
def test_serialize_round_trip(reg):
    cfg = regularizers.serialize(reg)
    assert cfg["class_name"] == type(reg).__name__
    again = regularizers.get(cfg)
    assert type(again) is type(reg) and again.get_config() == reg.get_config()


def test_get_none_and_errors():
    assert regularizers.get(None) is None
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1)
