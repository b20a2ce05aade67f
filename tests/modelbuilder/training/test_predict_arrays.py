"""Array (npz) runs: a standardised image model saves Normalization over every sample axis, and
predict takes {"x": one sample}. Plus the saved-model helper on its own (no database)."""

import numpy as np
import pytest

from modelbuilder.training.execution import run_execute
from modelbuilder.training.saved_model import model_with_standardization


def test_the_helper_keeps_the_graph_and_refuses_several_inputs():
    from engine import layers as L
    from engine.models import Model

    a = L.Input(shape=(3,), name="standardize")  # a name clash gets a fresh name
    h = L.Dense(4, activation="relu")(a)
    model = Model(a, L.Dense(2)(L.Concatenate()([h, a])))  # the input feeds two layers
    mean, std = np.array([10.0, -3.0, 0.5]), np.array([2.0, 4.0, 1.0])
    wrapped = model_with_standardization(model, mean=mean, std=std)
    assert [type(layer).__name__ for layer in wrapped.layers][:2] == ["InputLayer", "Normalization"]
    assert wrapped.layers[1].name == "standardize_1"
    x = np.random.default_rng(0).normal(5, 3, (6, 3)).astype(np.float32)
    np.testing.assert_allclose(wrapped.predict(x, verbose=0), model.predict(((x - mean) / std).astype(np.float32),
                                                                            verbose=0), rtol=1e-5, atol=1e-6)
    b = L.Input(shape=(3,))
    two = Model([a, b], L.Add()([a, b]))
    with pytest.raises(ValueError, match="2 inputs"):
        model_with_standardization(two, mean=mean, std=std)


@pytest.mark.django_db
def test_a_standardised_image_run_predicts_raw_samples(alice, make_design, mb, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(50, 10, size=(48, 4, 4, 1)).astype(np.float32)
    y = (x[:, :2].mean(axis=(1, 2, 3)) > x[:, 2:].mean(axis=(1, 2, 3))).astype(int)
    dataset = mb.upload(alice, mb.npz_upload(x=x, y=y), "images").json()
    graph = {
        "nodes": [
            {"id": "in", "layer": "Input", "params": {"shape": [4, 4, 1]}},
            {"id": "flat", "layer": "Flatten", "params": {}},
            {"id": "out", "layer": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "edges": [{"source": "in", "target": "flat"}, {"source": "flat", "target": "out"}],
    }
    design = make_design(graph, name="img")
    config = {"loss": "sparse_categorical_crossentropy", "epochs": 2, "batch_size": 16, "validation_split": 0,
              "seed": 3, "standardize": True}
    run = run_execute(run_id=create(alice, {"design": design["id"], "dataset": dataset["id"], "config": config}))
    assert run.status == "succeeded", run.error
    check = run.sample_predictions
    response = alice.post(f"/api/runs/{run.pk}/predict", {"rows": [{"x": s} for s in check["x"]]},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    got = [list(p["probabilities"].values()) for p in response.json()["predictions"]]
    np.testing.assert_allclose(got, check["y"], rtol=1e-5, atol=1e-6)
    usage = alice.get(f"/api/runs/{run.pk}/usage").json()
    assert usage["format"] == "npz" and usage["input_shape"] == [4, 4, 1] and usage["standardization_in_model"]
    error = mb.assert_error(alice.post(f"/api/runs/{run.pk}/predict", {"rows": [{"x": [1, 2]}]},
                                       content_type="application/json"), 400, "invalid_rows")
    assert "[4, 4, 1]" in error["message"]


def create(client, body) -> int:
    response = client.post("/api/runs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]
