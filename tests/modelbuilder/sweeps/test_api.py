"""Sweep endpoints: bad input is a 4xx in the shared error shape with nothing created; another
user gets 404 everywhere, no login 401. (Websocket access: test_live.py.)"""

import pytest

from modelbuilder.sweeps.models import Sweep
from modelbuilder.training.models import Run

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post("/api/sweeps", body, content_type="application/json")


def nothing_created():
    return Sweep.objects.count() == 0 and Run.objects.count() == 0


@pytest.mark.parametrize(
    "change, status, code",
    [
        (
            {"space": {"units@nope": {"type": "int", "min": 1, "max": 4}}},
            400,
            "invalid_search_space",
        ),
        (
            {"space": {"filters@d1": {"type": "int", "min": 1, "max": 4}}},
            400,
            "invalid_search_space",
        ),
        ({"space": {"shape@in": {"type": "choice", "values": [4]}}}, 400, "invalid_search_space"),
        ({"space": {"units@d1": {"type": "int", "min": 0, "max": 4}}}, 400, "invalid_search_space"),
        (
            {"space": {"units@out": {"type": "int", "min": 2, "max": 4}}},
            400,
            "invalid_search_space",
        ),
        (
            {"space": {"learning_rate": {"type": "float", "min": 0, "max": 1}}},
            400,
            "invalid_search_space",
        ),
        (
            {"space": {"optimizer": {"type": "choice", "values": ["adam", "lbfgs"]}}},
            400,
            "invalid_search_space",
        ),
        ({"space": {"metrics": {"type": "fixed", "value": "mse"}}}, 400, "invalid_search_space"),
        ({"space": {}}, 400, "invalid_search_space"),
        ({"space": "units"}, 422, "validation_error"),
        ({"objective": "val_f1"}, 400, "invalid_objective"),
        ({"config": {"validation_split": 0}}, 400, "invalid_objective"),
        ({"strategy": "hyperband"}, 422, "validation_error"),
        ({"max_trials": 0}, 422, "validation_error"),
        ({"parallelism": 99}, 422, "validation_error"),
        ({"pruning": "hyperband"}, 400, "invalid_pruning"),
        ({"pruning": None}, 422, "validation_error"),
        ({"pruning_warmup_epochs": -1}, 400, "invalid_pruning"),
        ({"pruning_startup_trials": 0}, 400, "invalid_pruning"),
        ({"pruning_warmup_epochs": "soon"}, 422, "validation_error"),
        ({"config": {"epochs": 0}}, 422, "validation_error"),
        ({"target": "no_such_column"}, 400, "invalid_target"),
        ({"config": {"loss": "mean_squared_error"}}, 400, "loss_mismatch"),
        ({"dataset": 999999}, 404, "not_found"),
        ({"name": "a\x00b"}, 400, "invalid_text"),
        ({"features": ["sepal\ud800"]}, 400, "invalid_text"),
        (
            {"space": {"optimizer": {"type": "choice", "values": ["adam\x00"]}}},
            400,
            "invalid_search_space",
        ),
    ],
)
def test_bad_input_is_a_4xx_and_creates_nothing(alice, sweep_body, mb, change, status, code):
    body = sweep_body(**{k: v for k, v in change.items() if k != "config"})
    body["config"].update(change.get("config", {}))
    error = mb.assert_error(post(alice, body), status, code)
    assert nothing_created(), error


def test_an_invalid_design_is_refused(alice, sweep_body, mb):
    graph = mb.mlp_graph()
    graph["nodes"][1]["params"]["units"] = 0
    design = alice.post(
        "/api/designs", {"name": "bad", "graph": graph}, content_type="application/json"
    ).json()
    mb.assert_error(post(alice, sweep_body(design=design["id"])), 400, "invalid_design")
    assert nothing_created()


def test_the_list_holds_only_ones_own_sweeps(alice, bob, sweep_body, iris_design):
    created = post(alice, sweep_body()).json()
    assert [s["id"] for s in alice.get("/api/sweeps").json()] == [created["id"]]
    assert alice.get(f"/api/sweeps?design={iris_design['id']}").json()[0]["trials"] == []
    assert alice.get(f"/api/sweeps?design={iris_design['id'] + 1}").json() == []
    assert bob.get("/api/sweeps").json() == []


def test_the_access_matrix(alice, bob, anon, bearer, sweep_body, mb):
    body = sweep_body()
    created = post(alice, body).json()
    sid = created["id"]
    owned = [
        ("get", f"/api/sweeps/{sid}"),
        ("post", f"/api/sweeps/{sid}/cancel"),
        ("post", f"/api/sweeps/{sid}/apply-best"),
    ]
    for method, url in owned:
        mb.assert_error(getattr(bob, method)(url), 404, "not_found")
        mb.assert_error(getattr(anon, method)(url), 401, "unauthorized")
    mb.assert_error(post(bob, body), 404, "not_found")  # alice's design and dataset
    mb.assert_error(post(anon, body), 401, "unauthorized")
    mb.assert_error(anon.get("/api/sweeps"), 401, "unauthorized")
    assert Sweep.objects.count() == 1 and Sweep.objects.get().status == "running"
    assert Run.objects.count() == 1 and Run.objects.get().status == "queued"
    # The owner, with a token from a script:
    from django.test import Client

    assert Client().get(f"/api/sweeps/{sid}", **bearer).status_code == 200
    assert alice.get("/api/sweeps/0").status_code == 404
    assert alice.get(f"/api/sweeps/{2**70}").status_code in (404, 422)


def test_the_space_is_stored_without_unknown_keys(alice, sweep_body):
    space = {"units@d1": {"type": "int", "min": 4, "max": 8, "junk": "\x00", "log": False}}
    created = post(alice, sweep_body(space)).json()
    assert created["space"] == {"units@d1": {"type": "int", "min": 4, "max": 8, "log": False}}


def test_staff_see_sweeps_and_trials_in_the_admin(alice, sweep_body, staff_user, mb):
    created = post(alice, sweep_body()).json()
    staff = mb.logged_in(staff_user)
    listing = staff.get("/admin/sweeps/sweep/")
    assert listing.status_code == 200 and b"iris mlp" in listing.content
    page = staff.get(f"/admin/sweeps/sweep/{created['id']}/change/")
    assert page.status_code == 200 and b"units@d1" in page.content
    assert staff.get("/admin/sweeps/sweep/add/").status_code == 403


def test_pruning_defaults_to_median_and_is_in_the_sweep_json(alice, sweep_body, mb):
    created = post(alice, sweep_body()).json()
    assert created["pruning"] == "median"
    assert (created["pruning_warmup_epochs"], created["pruning_startup_trials"]) == (1, 3)
    trial = created["trials"][0]
    assert trial["pruned_epoch"] is None and trial["prune_reason"] is None
    off = post(alice, sweep_body(pruning="none", pruning_warmup_epochs=0)).json()
    stored = Sweep.objects.get(pk=off["id"])
    assert (stored.pruning, stored.pruning_warmup_epochs) == ("none", 0)
    assert alice.get(f"/api/sweeps/{off['id']}").json()["pruning"] == "none"
    error = mb.assert_error(post(alice, sweep_body(pruning="Median")), 400, "invalid_pruning")
    assert "'median'" in error["message"] and "'none'" in error["message"]
