"""Owner, another user and anonymous x every endpoint: 2xx for the owner, 404 for another user,
401 without a login; nothing is changed by a refused request. (Websocket: training/test_live.py.)"""

import pytest

from modelbuilder.datasets.models import Dataset
from modelbuilder.designs.models import Design
from modelbuilder.training.models import Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(alice, user, mb):
    from modelbuilder.accounts.services import token_create
    from modelbuilder.training.execution import run_execute

    dataset = mb.upload(alice, mb.csv_upload(mb.iris_csv(), "iris.csv"), "iris").json()
    design = alice.post(
        "/api/designs", {"name": "mlp", "graph": mb.mlp_graph()}, content_type="application/json"
    ).json()
    config = {"epochs": 1, "batch_size": 32, "validation_split": 0.2, "seed": 0}
    run = alice.post(
        "/api/runs",
        {"design": design["id"], "dataset": dataset["id"], "config": config},
        content_type="application/json",
    ).json()
    run_execute(run_id=run["id"])
    token, _ = token_create(user=user, name="t")
    return {"dataset": dataset["id"], "design": design["id"], "run": run["id"], "token": token.pk}


IRIS_ROW = {"sepal_length_cm": 5.1, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}


def endpoints(ids, mb):
    """Owned: (method, url, body, owner status). Shared (any user): (method, url[, body])."""
    d, g, r, t = ids["dataset"], ids["design"], ids["run"], ids["token"]
    graph = mb.mlp_graph()
    return [
        ("get", f"/api/datasets/{d}", None, 200),
        ("get", f"/api/datasets/{d}/preview", None, 200),
        ("get", f"/api/designs/{g}", None, 200),
        ("put", f"/api/designs/{g}", {"name": "renamed"}, 200),
        ("get", f"/api/designs/{g}/versions", None, 200),
        ("get", f"/api/runs/{r}", None, 200),
        ("post", f"/api/runs/{r}/cancel", None, 200),
        ("get", f"/api/runs/{r}/model.h5", None, 200),
        ("get", f"/api/runs/{r}/usage", None, 200),
        ("post", f"/api/runs/{r}/predict", {"rows": [IRIS_ROW]}, 200),
        ("post", "/api/runs", {"design": g, "dataset": d, "config": {"epochs": 1}}, 201),
        ("delete", f"/api/tokens/{t}", None, 204),
        ("delete", f"/api/designs/{g}", None, 204),
        ("delete", f"/api/datasets/{d}", None, 204),
    ], [
        ("get", "/api/datasets"),
        ("get", "/api/designs"),
        ("get", "/api/runs"),
        ("get", "/api/tokens"),
        ("get", "/api/layers"),
        ("get", "/api/me"),
        ("post", "/api/designs/validate", {"graph": graph}),
        ("post", "/api/designs", {"name": "x", "graph": graph}),
    ]


def call(client, method, url, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def counts():
    return (Dataset.objects.count(), Design.objects.count(), Run.objects.count())


def test_the_access_matrix(alice, bob, anon, objects, mb):
    owned, shared = endpoints(objects, mb)
    before = counts()
    for method, url, body, _ in owned:
        mb.assert_error(call(bob, method, url, body), 404, "not_found")
        mb.assert_error(call(anon, method, url, body), 401, "unauthorized")
    for method, url, *body in shared:
        mb.assert_error(call(anon, method, url, *body), 401, "unauthorized")
    assert counts() == before
    assert Design.objects.get(pk=objects["design"]).name == "mlp"
    for listing in ("/api/datasets", "/api/designs", "/api/runs", "/api/tokens"):
        assert bob.get(listing).json() == [], listing
        assert len(alice.get(listing).json()) == 1, listing
    for method, url, body, status in owned:  # the owner last: it deletes
        response = call(alice, method, url, body)
        assert response.status_code == status, (method, url, response.content[:300])
    for method, url, *body in shared:
        assert call(bob, method, url, *body).status_code in (200, 201), url
