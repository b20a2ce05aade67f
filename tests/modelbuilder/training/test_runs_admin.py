"""The run admin (status filter, owner, duration) and runs outliving their dataset and design."""

import pytest

from modelbuilder.training.execution import run_execute

pytestmark = pytest.mark.django_db


def test_run_admin_lists_and_filters_by_status(alice, run_body, staff_user, mb):
    run_id = alice.post("/api/runs", run_body(epochs=1), content_type="application/json").json()[
        "id"
    ]
    run_execute(run_id=run_id)
    admin = mb.logged_in(staff_user)
    page = admin.get("/admin/training/run/?status__exact=succeeded").content.decode()
    assert "iris mlp" in page and "alice" in page and "cpu" in page
    assert "iris mlp" not in admin.get("/admin/training/run/?status__exact=failed").content.decode()
    assert admin.get(f"/admin/training/run/{run_id}/change/").status_code == 200
    assert admin.get("/admin/designs/design/").status_code == 200


def test_runs_stay_readable_after_their_dataset_and_design_are_deleted(
    alice, run_body, iris_dataset, iris_design, django_capture_on_commit_callbacks
):
    run_id = alice.post("/api/runs", run_body(epochs=1), content_type="application/json").json()[
        "id"
    ]
    run_execute(run_id=run_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.delete(f"/api/datasets/{iris_dataset['id']}").status_code == 204
        assert alice.delete(f"/api/designs/{iris_design['id']}").status_code == 204
    run = alice.get(f"/api/runs/{run_id}").json()
    assert run["dataset"] is None and run["design"] is None
    assert run["dataset_name"] == "iris" and run["design_name"] == "iris mlp"
    assert run["status"] == "succeeded" and len(run["epochs"]) == 1
    assert alice.get(f"/api/runs/{run_id}/model.h5").status_code == 200
