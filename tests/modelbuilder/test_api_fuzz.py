"""The OpenAPI schema is valid, and a bounded schemathesis fuzz of the API never gets a 5xx."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
# /api/health asks the broker and workers with timeouts: it is tested on its own, not fuzzed.
fuzzed = schema.exclude(path="/api/health")


def test_the_openapi_schema_is_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema.validate()  # raises on a document that breaks the OpenAPI specification
    paths = set(response.json()["paths"])
    assert {
        "/api/datasets",
        "/api/designs",
        "/api/designs/validate",
        "/api/layers",
        "/api/runs",
        "/api/runs/{run_id}/model.h5",
        "/api/runs/{run_id}/cancel",
    } <= paths


@pytest.fixture
def keep_test_connection():
    """Like Django's test Client: the WSGI app must not close the test's database connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(db, user, mb, keep_test_connection):
    from modelbuilder.accounts.services import token_create
    from modelbuilder.datasets.services import dataset_ingest
    from modelbuilder.designs.services import design_create

    # Something to find: ids 1, 2, ... exist for this user.
    dataset_ingest(owner=user, name="iris", file=mb.csv_upload(mb.iris_csv(), "iris.csv"))
    design_create(owner=user, name="mlp", graph=mb.mlp_graph())
    _, raw = token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


@fuzzed.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case, fuzz_headers):
    response = case.call(headers=fuzz_headers)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
