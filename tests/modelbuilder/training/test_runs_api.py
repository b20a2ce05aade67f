"""POST /api/runs checks everything before queueing; list/get/cancel/download; ownership."""

import pytest

from modelbuilder.training.models import Run

pytestmark = pytest.mark.django_db


def post_run(client, body, **extra):
    return client.post("/api/runs", body, content_type="application/json", **extra)


def test_it_creates_a_queued_run_and_queues_it_after_commit(
    alice, run_body, iris_design, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_run(alice, run_body())
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    assert len(callbacks) == 1  # the Celery task is sent only once the row is committed
    run = Run.objects.get(pk=response.json()["id"])
    assert run.encoding == "onehot" and run.labels == ["setosa", "versicolor", "virginica"]
    assert run.graph == iris_design["graph"] and run.design_version == 1
    assert run.features == [
        "sepal_length_cm",
        "sepal_width_cm",
        "petal_length_cm",
        "petal_width_cm",
    ]


def test_the_run_pins_the_graph_it_was_started_with(alice, run_body, iris_design, mb):
    run_id = post_run(alice, run_body()).json()["id"]
    alice.put(
        f"/api/designs/{iris_design['id']}",
        {"graph": mb.mlp_graph(hidden=32)},
        content_type="application/json",
    )
    assert Run.objects.get(pk=run_id).graph == mb.mlp_graph()


def test_sparse_loss_uses_integer_ids(alice, run_body):
    response = post_run(alice, run_body(loss="sparse_categorical_crossentropy"))
    assert response.status_code == 201, response.content
    assert Run.objects.get().encoding == "ids"


@pytest.mark.parametrize(
    "config, field",
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 10001}, "epochs"),
        ({"batch_size": -1}, "batch_size"),
        ({"learning_rate": "x"}, "learning_rate"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"validation_split": 1}, "validation_split"),
        ({"validation_split": -0.1}, "validation_split"),
        ({"optimizer": "magic"}, "optimizer"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_absurd_config_is_422_and_creates_nothing(
    alice, run_body, mb, config, field, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        error = mb.assert_error(post_run(alice, run_body(**config)), 422, "validation_error")
    assert any(field in e["loc"] for e in error["details"]["errors"]), error
    assert Run.objects.count() == 0 and callbacks == []


def change(body, **fields):
    return {**body, **fields}


@pytest.mark.parametrize(
    "case, status, code",
    [
        ("missing_target", 400, "invalid_target"),
        ("unknown_feature", 400, "invalid_features"),
        ("target_is_feature", 400, "invalid_features"),
        ("regression_on_labels", 400, "loss_mismatch"),
        ("binary_on_three_classes", 400, "loss_mismatch"),
        ("unknown_loss", 400, "invalid_config"),
        ("unknown_metric", 400, "invalid_config"),
        ("wrong_output_width", 400, "design_mismatch"),
        ("wrong_input_width", 400, "design_mismatch"),
        ("invalid_design", 400, "invalid_design"),
        ("deleted_dataset", 404, "not_found"),
        ("missing_design", 404, "not_found"),
    ],
)
def test_bad_runs_are_4xx_with_the_reason_and_create_nothing(
    alice,
    run_body,
    make_design,
    iris_dataset,
    mb,
    case,
    status,
    code,
    django_capture_on_commit_callbacks,
):
    body = run_body()
    if case == "missing_target":
        body["target"] = "colour"
    elif case == "unknown_feature":
        body["features"] = ["sepal_length_cm", "weight"]
    elif case == "target_is_feature":
        body["features"] = ["species", "sepal_length_cm"]
    elif case == "regression_on_labels":
        body["config"]["loss"] = "mean_squared_error"
    elif case == "binary_on_three_classes":
        body["config"]["loss"] = "binary_crossentropy"
    elif case == "unknown_loss":
        body["config"]["loss"] = "hinge_of_doom"
    elif case == "unknown_metric":
        body["config"]["metrics"] = ["telepathy"]
    elif case == "wrong_output_width":
        body["design"] = make_design(mb.mlp_graph(outputs=4))["id"]
    elif case == "wrong_input_width":
        body["design"] = make_design(mb.mlp_graph(inputs=5))["id"]
    elif case == "invalid_design":
        graph = mb.mlp_graph()
        graph["nodes"][1]["params"]["units"] = 0
        body["design"] = make_design(graph)["id"]
    elif case == "deleted_dataset":
        assert alice.delete(f"/api/datasets/{iris_dataset['id']}").status_code == 204
    elif case == "missing_design":
        body["design"] = 999999
    with django_capture_on_commit_callbacks() as callbacks:
        error = mb.assert_error(post_run(alice, body), status, code)
    assert Run.objects.count() == 0 and callbacks == []
    if case == "missing_target":
        assert "colour" in error["message"] and "species" in error["message"]
    if case == "wrong_output_width":
        assert "(None, 3)" in error["message"]


def test_cancel_while_queued_is_immediate_and_the_worker_skips_it(alice, run_body):
    from modelbuilder.training.execution import run_execute

    run_id = post_run(alice, run_body()).json()["id"]
    response = alice.post(f"/api/runs/{run_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert run_execute(run_id=run_id) is None  # the task arriving late does nothing
    run = Run.objects.get(pk=run_id)
    assert run.status == "cancelled" and run.epochs.count() == 0 and run.started_at is None


def test_list_get_and_no_download_before_success(alice, run_body, mb):
    run_id = post_run(alice, run_body()).json()["id"]
    assert [r["id"] for r in alice.get("/api/runs").json()] == [run_id]
    run = alice.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "queued" and run["epochs"] == [] and run["model_url"] is None
    assert run["design_name"] == "iris mlp" and run["dataset_name"] == "iris"
    mb.assert_error(alice.get(f"/api/runs/{run_id}/model.h5"), 404, "not_found")


@pytest.mark.parametrize(
    "method, suffix",
    [
        ("get", ""),
        ("post", "/cancel"),
        ("get", "/model.h5"),
    ],
)
def test_another_user_gets_404_and_anonymous_401(alice, bob, anon, run_body, mb, method, suffix):
    run_id = post_run(alice, run_body()).json()["id"]
    mb.assert_error(getattr(bob, method)(f"/api/runs/{run_id}{suffix}"), 404, "not_found")
    mb.assert_error(getattr(anon, method)(f"/api/runs/{run_id}{suffix}"), 401, "unauthorized")
    assert bob.get("/api/runs").json() == []
    assert Run.objects.get(pk=run_id).status == "queued"


def test_another_users_design_or_dataset_is_404(bob, anon, run_body, mb):
    mb.assert_error(post_run(bob, run_body()), 404, "not_found")
    mb.assert_error(post_run(anon, run_body()), 401, "unauthorized")
    assert Run.objects.count() == 0


def test_an_unreachable_broker_fails_the_run_instead_of_leaving_it_queued(
    alice, run_body, monkeypatch, django_capture_on_commit_callbacks
):
    from modelbuilder.training.tasks import train

    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(train, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_run(alice, run_body())
    assert response.status_code == 201
    run = Run.objects.get(pk=response.json()["id"])
    assert run.status == "failed" and "could not be queued" in run.error
