"""engine.losses.lookup: aliases, canonical names, configs, wrapped callables, errors."""

import numpy as np
import pytest

from engine import losses
from engine.autograd import Tensor


@pytest.mark.parametrize("alias,cls", [("mse", losses.MeanSquaredError), ("MSE", losses.MeanSquaredError),
                                       ("mae", losses.MeanAbsoluteError), ("mape", losses.MeanAbsolutePercentageError),
                                       ("msle", losses.MeanSquaredLogarithmicError), ("kld", losses.KLDivergence),
                                       ("kullback_leibler_divergence", losses.KLDivergence),
                                       ("logcosh", losses.LogCosh), ("huber", losses.Huber),
                                       ("categorical_crossentropy", losses.CategoricalCrossentropy),
                                       ("SparseCategoricalCrossentropy", losses.SparseCategoricalCrossentropy),
                                       ("binary_crossentropy", losses.BinaryCrossentropy)])
def test_aliases(alias, cls):
    assert type(losses.get(alias)) is cls


def test_canonical_names_for_training_config():
    assert losses.canonical_name("mse") == "mean_squared_error"
    assert losses.canonical_name("kld") == "kl_divergence"
    assert losses.canonical_name(losses.CategoricalCrossentropy()) == "categorical_crossentropy"


def test_config_round_trip():
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, name="cce")
    cfg = losses.serialize(loss)
    assert cfg["class_name"] == "CategoricalCrossentropy"
    again = losses.get(cfg)
    assert again.get_config() == loss.get_config() and again.name == "cce"
    assert losses.get({"class_name": "MeanSquaredError", "config": {}}).name == "mean_squared_error"
    assert losses.Huber(2.0).get_config()["delta"] == 2.0


def test_custom_callable_is_wrapped():
    loss = losses.get(lambda y, p: (p - y).abs().sum(axis=-1))
    assert float(loss(np.array([[1.0]]), Tensor(np.array([[3.0]]))).data) == 2.0
    assert type(losses.get(losses.mean_squared_error)) is losses.MeanSquaredError


def test_errors():
    with pytest.raises(ValueError, match="Unknown loss: 'msex'. Expected one of"):
        losses.get("msex")
    with pytest.raises(ValueError, match="same shape"):
        losses.get("categorical_crossentropy")(np.zeros((2, 3)), Tensor(np.ones((2, 4)) / 4))
    with pytest.raises(ValueError, match="outside the valid range"):
        losses.get("sparse_categorical_crossentropy")(np.array([0, 5]), Tensor(np.ones((2, 3)) / 3))
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match=r"compatible shapes. Received: y_true.shape=\(4,\), y_pred.shape=\(4, 3\)"):
        losses.get("mse")(np.zeros(4), Tensor(np.zeros((4, 3))))
    with pytest.raises(ValueError, match="Expected one weight per sample"):
        losses.get("mse")(np.zeros((4, 1)), Tensor(np.zeros((4, 1))), sample_weight=np.ones(3))
