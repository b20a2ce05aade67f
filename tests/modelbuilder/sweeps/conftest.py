"""Fixtures for sweeps: alice's iris dataset and MLP design, and a sweep body builder."""

import pytest


@pytest.fixture
def iris_dataset(alice, mb) -> dict:
    response = mb.upload(alice, mb.csv_upload(mb.iris_csv(), "iris.csv"), "iris")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def iris_design(alice, mb) -> dict:
    body = {"name": "iris mlp", "graph": mb.mlp_graph()}
    response = alice.post("/api/designs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def sweep_body(iris_dataset, iris_design):
    def body(space=None, **extra) -> dict:
        config = {
            "loss": "categorical_crossentropy",
            "optimizer": "adam",
            "learning_rate": 0.01,
            "epochs": 2,
            "batch_size": 32,
            "validation_split": 0.2,
            "metrics": ["accuracy"],
            "seed": 1,
            **extra.pop("config", {}),
        }
        return {
            "design": iris_design["id"],
            "dataset": iris_dataset["id"],
            "target": "species",
            "config": config,
            "space": {"units@d1": {"type": "int", "min": 4, "max": 12, "step": 4}}
            if space is None
            else space,
            "strategy": "grid",
            "max_trials": 3,
            "parallelism": 1,
            "objective": "val_loss",
            "seed": 7,
            **extra,
        }

    return body
