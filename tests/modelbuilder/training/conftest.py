"""Fixtures for runs: an uploaded iris dataset and a matching design, owned by alice."""

import pytest


@pytest.fixture
def iris_dataset(alice, mb) -> dict:
    response = mb.upload(alice, mb.csv_upload(mb.iris_csv(), "iris.csv"), "iris")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def make_design(alice, mb):
    def make(graph=None, name="iris mlp") -> dict:
        body = {"name": name, "graph": graph or mb.mlp_graph()}
        response = alice.post("/api/designs", body, content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()

    return make


@pytest.fixture
def iris_design(make_design) -> dict:
    return make_design()


@pytest.fixture
def run_body(iris_dataset, iris_design):
    def body(**config) -> dict:
        base = {
            "loss": "categorical_crossentropy",
            "optimizer": "adam",
            "learning_rate": 0.01,
            "epochs": 3,
            "batch_size": 16,
            "validation_split": 0.2,
            "metrics": ["accuracy"],
            "seed": 1,
        }
        return {
            "design": iris_design["id"],
            "dataset": iris_dataset["id"],
            "target": "species",
            "config": {**base, **config},
        }

    return body
