"""POST /api/runs/{id}/predict and GET /api/runs/{id}/usage on runs trained in this process.

The download takes raw features (standardisation inside it, as a Normalization layer): the endpoint,
the downloaded file loaded by the engine, and the trained model on standardised rows agree.
"""

import numpy as np
import pytest

from modelbuilder.training import predict
from modelbuilder.training.execution import run_execute

pytestmark = pytest.mark.django_db

IRIS = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]


def create(client, body) -> int:
    response = client.post("/api/runs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def post_predict(client, run_id, rows):
    return client.post(f"/api/runs/{run_id}/predict", {"rows": rows}, content_type="application/json")


def download(client, run_id, tmp_path):
    from engine.models import load_model

    response = client.get(f"/api/runs/{run_id}/model.h5")
    assert response.status_code == 200
    path = tmp_path / f"run{run_id}.h5"
    path.write_bytes(b"".join(response.streaming_content))
    return load_model(str(path))


@pytest.fixture
def iris_run(alice, run_body):
    run = run_execute(run_id=create(alice, run_body(epochs=3, standardize=True)))
    assert run.status == "succeeded", run.error
    return run


def test_classification_labels_probabilities_match_the_trained_model(alice, iris_run, tmp_path):
    check = iris_run.sample_predictions  # raw rows, and the trained model's output on them standardised
    raw = np.array(check["x"], dtype=np.float32)
    assert np.abs(raw.mean(axis=0)).max() > 1  # really raw (iris cm), not standardised
    rows = [dict(zip(IRIS, map(float, r), strict=True)) for r in raw]
    response = post_predict(alice, iris_run.pk, rows)
    assert response.status_code == 200, response.content
    predictions = response.json()["predictions"]
    labels = iris_run.labels
    assert len(predictions) == len(rows) and labels == ["setosa", "versicolor", "virginica"]
    for p, expected in zip(predictions, check["y"], strict=True):
        assert list(p["probabilities"]) == labels
        probs = np.array(list(p["probabilities"].values()))
        assert probs.sum() == pytest.approx(1.0, abs=1e-5)
        np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-6)
        assert p["label"] == labels[int(np.argmax(expected))] and p["value"] is None
    # the downloaded file: Input → Normalization(run's mean, std²) → the trained graph
    model = download(alice, iris_run.pk, tmp_path)
    norm = model.layers[1]
    assert type(norm).__name__ == "Normalization" and norm.weights == []
    stats = iris_run.preprocessing["standardize"]
    assert stats["in_model"] is True
    np.testing.assert_allclose(norm.get_config()["mean"], stats["mean"])
    np.testing.assert_allclose(np.sqrt(norm.get_config()["variance"]), stats["std"], rtol=1e-12)
    np.testing.assert_allclose(model.predict(raw, verbose=0), check["y"], rtol=1e-5, atol=1e-6)


def test_usage_describes_what_the_download_takes(alice, bob, iris_run):
    body = alice.get(f"/api/runs/{iris_run.pk}/usage").json()
    assert [f["name"] for f in body["features"]] == IRIS
    assert {f["kind"] for f in body["features"]} == {"numeric"}
    assert body["standardized"] and body["standardization_in_model"]
    assert body["labels"] == iris_run.labels and body["encoding"] == "onehot" and body["format"] == "csv"
    assert bob.get(f"/api/runs/{iris_run.pk}/usage").status_code == 404


def test_access_and_state(alice, bob, mb, iris_run, run_body, captured_queue):
    row = dict.fromkeys(IRIS, 5.0)
    mb.assert_error(post_predict(bob, iris_run.pk, [row]), 404, "not_found")
    mb.assert_error(post_predict(alice, 10**9, [row]), 404, "not_found")
    queued = create(alice, run_body())
    error = mb.assert_error(post_predict(alice, queued, [row]), 400, "run_not_succeeded")
    assert "queued" in error["message"]
    mb.assert_error(alice.get(f"/api/runs/{queued}/usage"), 400, "run_not_succeeded")


def test_bad_rows_name_the_row_and_column(alice, mb, iris_run):
    good = {"sepal_length_cm": 5.1, "sepal_width_cm": "3.5", "petal_length_cm": 1.4, "petal_width_cm": 0.2,
            "species": "ignored: extra keys such as the target are allowed"}
    assert post_predict(alice, iris_run.pk, [good]).status_code == 200
    missing = {k: v for k, v in good.items() if k != "petal_length_cm"}
    error = mb.assert_error(post_predict(alice, iris_run.pk, [good, missing]), 400, "invalid_rows")
    assert "Row 2" in error["message"] and "petal_length_cm" in error["message"]
    assert error["details"] == {"row": 2, "column": "petal_length_cm"}
    for bad in ("abc", "", None, True, "nan", "1e39", [1.0], {"a": 1}):
        error = mb.assert_error(post_predict(alice, iris_run.pk, [{**good, "sepal_width_cm": bad}]), 400)
        assert error["details"] == {"row": 1, "column": "sepal_width_cm"}, bad
    huge = post_predict(alice, iris_run.pk, [good, {**good, "petal_length_cm": 3e38}])  # softmax saturates
    assert huge.status_code == 200 and huge.json()["predictions"][1]["label"] in iris_run.labels
    mb.assert_error(post_predict(alice, iris_run.pk, []), 400, "invalid_rows")
    mb.assert_error(post_predict(alice, iris_run.pk, ["not an object"]), 400, "invalid_rows")
    too_many = mb.assert_error(post_predict(alice, iris_run.pk, [good] * (predict.MAX_ROWS + 1)), 400)
    assert str(predict.MAX_ROWS) in too_many["message"]


SHOP_CSV = "color,size,price\n" + "\n".join(
    f"{c},{s},{p:.3f}"
    for i, (c, s) in enumerate((c, s) for s in range(1, 13) for c in ("red", "green", "blue"))
    for p in [10 * s + {"red": 5, "green": 0, "blue": -5}[c] + (i % 3) * 0.1]
)


def test_regression_with_a_categorical_feature(alice, mb, make_design, tmp_path):
    dataset = mb.upload(alice, mb.csv_upload(SHOP_CSV, "shop.csv"), "shop").json()
    design = make_design(mb.mlp_graph(inputs=4, outputs=1, activation="linear"), name="price")
    config = {"loss": "mse", "optimizer": "adam", "learning_rate": 0.01, "epochs": 5, "batch_size": 8,
              "validation_split": 0.0, "metrics": [], "seed": 1, "standardize": True}
    run = run_execute(run_id=create(alice, {"design": design["id"], "dataset": dataset["id"], "target": "price",
                                            "config": config}))
    assert run.status == "succeeded", run.error
    usage = alice.get(f"/api/runs/{run.pk}/usage").json()
    assert usage["features"] == [{"name": "color", "kind": "categorical", "labels": ["blue", "green", "red"]},
                                 {"name": "size", "kind": "numeric", "labels": []}]
    rows = [{"color": "red", "size": 3}, {"color": "blue", "size": 11.5}]
    response = post_predict(alice, run.pk, rows)
    assert response.status_code == 200, response.content
    values = [p["value"] for p in response.json()["predictions"]]
    assert all(p["label"] is None and p["probabilities"] is None for p in response.json()["predictions"])
    # the download, fed raw rows with the one-hot done outside the model, answers the same
    model = download(alice, run.pk, tmp_path)
    x = np.array([[0, 0, 1, 3.0], [1, 0, 0, 11.5]], dtype=np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0).ravel(), values, rtol=1e-5, atol=1e-5)
    # and the trained model on the standardised training rows (one-hot columns untouched) too
    stats = run.preprocessing["standardize"]
    assert stats["mean"][:3] == [0.0, 0.0, 0.0] and stats["std"][:3] == [1.0, 1.0, 1.0] and stats["std"][3] > 2
    check = run.sample_predictions
    sample_rows = [{"color": ["blue", "green", "red"][int(np.argmax(r[:3]))], "size": r[3]} for r in check["x"]]
    sample = post_predict(alice, run.pk, sample_rows).json()["predictions"]
    np.testing.assert_allclose([p["value"] for p in sample], np.ravel(check["y"]), rtol=1e-5, atol=1e-5)
    assert len({round(v, 3) for v in values}) == 2
    error = mb.assert_error(post_predict(alice, run.pk, [rows[0], {"color": "purple", "size": 2}]), 400)
    assert error["details"] == {"row": 2, "column": "color"} and "purple" in error["message"]
    assert "'blue', 'green', 'red'" in error["message"]


def test_a_loaded_model_is_reused(alice, iris_run, monkeypatch):
    row = dict.fromkeys(IRIS, 5.0)
    assert post_predict(alice, iris_run.pk, [row]).status_code == 200
    import engine.models

    monkeypatch.setattr(engine.models, "load_model", lambda *a, **k: pytest.fail("loaded again"))
    assert post_predict(alice, iris_run.pk, [row]).status_code == 200
    assert (iris_run.pk, iris_run.artifact.name) in predict._cache


def test_a_non_finite_output_is_refused_not_sent_as_nan(alice, mb, iris_run, monkeypatch):
    row = dict.fromkeys(IRIS, 5.0)
    assert post_predict(alice, iris_run.pk, [row]).status_code == 200
    model = predict._cache[(iris_run.pk, iris_run.artifact.name)]
    monkeypatch.setattr(model, "predict", lambda x, **k: np.array([[0.5, 0.5, 0.0], [np.nan, 0.5, 0.5]]))
    error = mb.assert_error(post_predict(alice, iris_run.pk, [row, row]), 400, "invalid_rows")
    assert error["details"] == {"row": 2} and "not a finite number" in error["message"]
