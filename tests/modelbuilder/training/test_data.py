"""plan_build (from the stored schema) and arrays_build (in the worker): encodings and widths."""

import numpy as np
import pytest

from modelbuilder.core.errors import ApplicationError
from modelbuilder.datasets.parsing import read_csv
from modelbuilder.training.data import arrays_build, numeric_feature_mask, plan_build

CSV = "size,colour,weight,label\n1,red,2.5,yes\n2,blue,3.5,no\n3,red,1.5,yes\n4,green,0.5,no\n"


@pytest.fixture
def table_schema(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(CSV)
    return read_csv(path)


def test_binary_target_and_one_hot_categorical_features(table_schema):
    table, schema = table_schema
    plan = plan_build(schema=schema, target="label", features=None, loss="binary_crossentropy")
    assert plan.encoding == "binary" and plan.labels == ["no", "yes"] and plan.output_width == 1
    assert plan.feature_labels == {"colour": ["blue", "green", "red"]}
    assert plan.input_shape == [1 + 3 + 1]
    x, y = arrays_build(table, plan, "csv")
    np.testing.assert_array_equal(x[1], [2, 1, 0, 0, 3.5])  # size, one-hot(blue), weight
    np.testing.assert_array_equal(y.ravel(), [1, 0, 1, 0])
    assert numeric_feature_mask(plan).tolist() == [True, False, False, False, True]


def test_one_hot_ids_and_regression(table_schema):
    table, schema = table_schema
    onehot = plan_build(
        schema=schema, target="colour", features=["size"], loss="categorical_crossentropy"
    )
    _, y = arrays_build(table, onehot, "csv")
    assert y.shape == (4, 3) and y[0].tolist() == [0, 0, 1]
    ids = plan_build(
        schema=schema, target="colour", features=["size"], loss="sparse_categorical_crossentropy"
    )
    assert arrays_build(table, ids, "csv")[1].tolist() == [2, 0, 2, 1]
    regression = plan_build(schema=schema, target="weight", features=["size"], loss="mse")
    x, y = arrays_build(table, regression, "csv")
    assert regression.encoding == "none" and y.shape == (4, 1) and x.shape == (4, 1)


@pytest.mark.parametrize(
    "target, features, loss, code",
    [
        ("nope", None, "mse", "invalid_target"),
        ("weight", ["size", "size"], "mse", "invalid_features"),
        ("weight", [], "mse", "invalid_features"),
        ("label", None, "mse", "loss_mismatch"),
        ("colour", None, "binary_crossentropy", "loss_mismatch"),
        ("weight", None, "categorical_crossentropy", "loss_mismatch"),
        ("weight", None, "cosine_of_doom", "invalid_config"),
    ],
)
def test_plan_refusals(table_schema, target, features, loss, code):
    with pytest.raises(ApplicationError) as info:
        plan_build(schema=table_schema[1], target=target, features=features, loss=loss)
    assert info.value.code == code
