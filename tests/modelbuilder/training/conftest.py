"""Fixtures for runs: an uploaded iris dataset and a matching design, owned by alice; runs queued into
a list instead of the broker (captured_queue); the session worker kept off `cpu` (own_cpu_queue)."""

import pytest

from modelbuilder.training import services


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


@pytest.fixture
def captured_queue(monkeypatch):
    """Runs are 'queued' into this list instead of Redis (no worker may take them)."""
    queued = []
    monkeypatch.setattr(services, "_enqueue", lambda *args: queued.append(args))
    return queued


@pytest.fixture
def own_cpu_queue():
    """Workers started by earlier tests (the session worker) stop consuming `cpu` for this test, so the
    test's own workers take its runs; they get the queue back at the end."""
    from modelbuilder.celery import app

    replies = app.control.cancel_consumer("cpu", reply=True, timeout=3) or []
    others = [name for reply in replies for name in reply]
    yield others
    if others:
        app.control.add_consumer("cpu", destination=others, reply=True, timeout=3)
