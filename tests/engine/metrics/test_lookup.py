"""engine.metrics.lookup: names as written in compile(), accuracy resolution, configs, unknown names."""

import math

import numpy as np
import pytest

from engine import metrics


@pytest.mark.parametrize("written,loss,out,target,expected", [
    ("accuracy", "categorical_crossentropy", (None, 3), (None, 3), metrics.CategoricalAccuracy),
    ("acc", "sparse_categorical_crossentropy", (None, 3), (None,), metrics.SparseCategoricalAccuracy),
    ("acc", "binary_crossentropy", (None, 4), (None, 4), metrics.BinaryAccuracy),
    ("accuracy", "mse", (None, 1), (None, 1), metrics.BinaryAccuracy),
    ("accuracy", None, (None, 5), (None, 1), metrics.SparseCategoricalAccuracy),
    ("accuracy", None, (None, 5), (None, 5), metrics.CategoricalAccuracy),
])
def test_accuracy_resolution_keeps_written_name(written, loss, out, target, expected):
    m = metrics.get(written, loss=loss, output_shape=out, target_shape=target)
    assert type(m) is expected and m.name == written


def test_log_names_as_keras_writes_them():
    assert metrics.get("mse").name == "mse"
    assert metrics.get("mean_squared_error").name == "mean_squared_error"
    assert metrics.get("MeanSquaredError").name == "mean_squared_error"
    assert metrics.get("mae").name == "mae"
    assert metrics.get("AUC").name == "auc" and metrics.get("auc").name == "auc"
    assert metrics.get("precision").name == "precision" and metrics.get("Recall").name == "recall"
    assert metrics.get("binary_crossentropy").name == "binary_crossentropy"


def test_loss_name_as_metric():
    m = metrics.get("binary_crossentropy")
    m.update_state(np.array([[1.0]]), np.array([[0.5]]))
    assert m.result() == pytest.approx(math.log(2), rel=1e-6)


def test_config_round_trip():
    for m in [metrics.BinaryAccuracy(threshold=0.3, name="ba"), metrics.AUC(num_thresholds=50, curve="PR"),
              metrics.Precision(thresholds=0.7), metrics.TopKCategoricalAccuracy(k=2)]:
        again = metrics.get(metrics.serialize(m))
        assert type(again) is type(m) and again.get_config() == m.get_config()


def test_unknown_metric():
    with pytest.raises(ValueError, match="Unknown metric: 'acuracy'. Expected one of"):
        metrics.get("acuracy")
