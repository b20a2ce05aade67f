"""run_execute in this process: epochs stored, model saved and reloadable, NaN fails readably."""

import numpy as np
import pytest

from modelbuilder.training.execution import run_execute
from modelbuilder.training.models import Run

pytestmark = pytest.mark.django_db


def create(client, body) -> int:
    response = client.post("/api/runs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_run_trains_stores_epochs_and_saves_a_loadable_model(alice, run_body, tmp_path):
    from engine.models import load_model

    run_id = create(alice, run_body(epochs=4, standardize=True))
    run = run_execute(run_id=run_id)
    assert run.status == "succeeded", run.error
    assert list(run.epochs.values_list("epoch", flat=True)) == [1, 2, 3, 4]
    logs = run.epochs.last().logs
    assert set(logs) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.final_metrics == logs and run.device == "cpu" and run.wall_time > 0
    assert len(run.preprocessing["standardize"]["mean"]) == 4
    body = alice.get(f"/api/runs/{run_id}").json()
    assert [e["epoch"] for e in body["epochs"]] == [1, 2, 3, 4]
    assert body["model_url"] == f"/api/runs/{run_id}/model.h5"
    download = alice.get(body["model_url"])
    assert download.status_code == 200
    assert 'filename="iris-mlp.h5"' in download["Content-Disposition"]
    path = tmp_path / "model.h5"
    path.write_bytes(b"".join(download.streaming_content))
    model = load_model(str(path))
    check = run.sample_predictions
    np.testing.assert_allclose(
        model.predict(np.array(check["x"], dtype=np.float32), verbose=0),
        np.array(check["y"]),
        rtol=1e-5,
        atol=1e-6,
    )


def test_the_same_seed_gives_the_same_history(alice, run_body):
    first = run_execute(run_id=create(alice, run_body(epochs=2)))
    second = run_execute(run_id=create(alice, run_body(epochs=2)))
    assert [e.logs for e in first.epochs.all()] == [e.logs for e in second.epochs.all()]


def test_a_diverging_run_fails_with_a_readable_message(alice, iris_dataset, make_design, mb):
    design = make_design(mb.mlp_graph(inputs=3, outputs=1, activation="linear"), name="reg")
    body = {
        "design": design["id"],
        "dataset": iris_dataset["id"],
        "target": "petal_width_cm",
        "features": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm"],
        "config": {
            "loss": "mean_squared_error",
            "optimizer": "sgd",
            "learning_rate": 100,
            "epochs": 20,
            "batch_size": 150,
            "validation_split": 0,
            "metrics": [],
        },
    }
    run = run_execute(run_id=create(alice, body))
    assert run.status == "failed"
    assert "loss became" in run.error and "learning rate" in run.error
    assert not run.artifact and run.finished_at is not None


def test_an_engine_error_fails_the_run_never_leaving_it_running(alice, run_body, monkeypatch):
    import engine.models

    def explode(graph):
        raise MemoryError()

    monkeypatch.setattr(engine.models.Model, "from_graph", staticmethod(explode))
    run = run_execute(run_id=create(alice, run_body()))
    assert run.status == "failed" and run.error.startswith("Out of memory")
    assert Run.objects.get(pk=run.pk).status == "failed"


def test_a_redelivered_run_whose_worker_is_gone_is_taken_over_and_finishes(alice, run_body):
    """Redelivery after a lost worker (no heartbeat): the run resumes here instead of failing."""
    run_id = create(alice, run_body())
    Run.objects.filter(pk=run_id).update(status="running", heartbeat_at=None)
    assert run_execute(run_id=run_id).status == "succeeded"


def test_a_duplicate_delivery_of_a_live_run_is_dropped(alice, run_body):
    from django.utils import timezone

    run_id = create(alice, run_body())
    Run.objects.filter(pk=run_id).update(status="running", heartbeat_at=timezone.now())
    assert run_execute(run_id=run_id) is None
    run = Run.objects.get(pk=run_id)
    assert run.status == "running" and run.epochs.count() == 0  # the live worker keeps it


def _has_gpu() -> bool:
    import engine.backend

    before = engine.backend.device_name()
    try:
        engine.backend.set_device("gpu")
    except RuntimeError:
        return False
    finally:
        engine.backend.set_device(before)
    return True


@pytest.mark.gpu
def test_a_run_on_the_gpu(alice, run_body):
    if not _has_gpu():
        pytest.skip("needs cupy and a CUDA GPU")
    run = run_execute(run_id=create(alice, run_body(device="gpu", epochs=2)))
    assert run.status == "succeeded", run.error
    assert run.device == "gpu"


def test_a_gpu_run_on_a_worker_without_one_fails_with_the_reason(alice, run_body):
    if _has_gpu():
        pytest.skip("this worker has a GPU")
    run = run_execute(run_id=create(alice, run_body(device="gpu")))
    assert run.status == "failed" and "cupy" in run.error


def test_a_run_on_npz_arrays_with_integer_classes(alice, make_design, mb):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)  # classes 0, 1, 2
    dataset = mb.upload(alice, mb.npz_upload(x=x, y=y, x_test=x[:10], y_test=y[:10]), "arr").json()
    design = make_design(mb.mlp_graph(), name="npz")
    body = {
        "design": design["id"],
        "dataset": dataset["id"],
        "config": {
            "loss": "sparse_categorical_crossentropy",
            "epochs": 2,
            "batch_size": 16,
            "validation_split": 0,
            "seed": 3,
        },
    }
    run = run_execute(run_id=create(alice, body))
    assert run.status == "succeeded", run.error
    assert run.encoding == "ids" and run.labels == ["0", "1", "2"]
    assert "val_loss" in run.final_metrics  # x_test/y_test became the validation data


def test_the_cancel_flag_is_read_at_the_progress_pace_not_every_batch(alice, run_body, monkeypatch):
    """A query per batch made small models train 1.5-1.8x slower: the flag is read with the throttled progress."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from modelbuilder.training import execution

    monkeypatch.setattr(execution, "PROGRESS_INTERVAL_S", 3600.0)  # reads: the first batch, each epoch's end
    run_id = create(alice, run_body(epochs=3, batch_size=4))  # 120 training rows: 30 batches an epoch
    with CaptureQueriesContext(connection) as queries:
        run = run_execute(run_id=run_id)
    assert run.status == "succeeded", run.error
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith("SELECT 1") and '"cancel_requested" AND' in q["sql"]]
    assert len(reads) == 1 + 3


def test_a_cancel_requested_before_the_first_batch_stops_the_run(alice, run_body):
    run_id = create(alice, run_body(epochs=50, batch_size=4))
    Run.objects.filter(pk=run_id).update(cancel_requested=True)
    run = run_execute(run_id=run_id)
    assert run.status == "cancelled"
    assert run.epochs.count() <= 1  # stopped inside the first epoch
