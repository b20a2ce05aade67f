"""Every API error has the one shape {"error": {"code", "message", "details"}}."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from modelbuilder.core.auth import api_auth
from modelbuilder.core.errors import ApplicationError, install_exception_handlers

api = NinjaAPI(urls_namespace="test-errors", auth=api_auth)
install_exception_handlers(api)


class Payload(Schema):
    units: int


@api.get("/app-error", auth=None)
def raise_application_error(request):
    raise ApplicationError("Units must be positive.", code="bad_units", details={"node": "d1"})


@api.get("/conflict", auth=None)
def raise_conflict(request):
    raise ApplicationError("Already running.", code="conflict", status=409)


@api.post("/validate", auth=None)
def validate(request, payload: Payload):
    return {"units": payload.units}


@api.get("/missing", auth=None)
def missing(request):
    raise Http404("No such design.")


@api.get("/forbidden", auth=None)
def forbidden(request):
    raise PermissionDenied("Not yours.")


@api.get("/crash", auth=None)
def crash(request):
    raise RuntimeError("boom")


@api.get("/private")
def private(request):
    return {"user": request.auth.username}


client = TestClient(api)


def assert_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_application_error_keeps_its_code_status_and_details():
    error = assert_error(client.get("/app-error"), 400, "bad_units")
    assert error["message"] == "Units must be positive."
    assert error["details"] == {"node": "d1"}
    assert_error(client.get("/conflict"), 409, "conflict")


def test_request_validation_is_422_with_the_field_errors():
    error = assert_error(client.post("/validate", json={"units": "many"}), 422, "validation_error")
    assert error["details"]["errors"][0]["loc"][-1] == "units"


def test_not_found_and_forbidden():
    assert assert_error(client.get("/missing"), 404, "not_found")["message"] == "No such design."
    assert_error(client.get("/forbidden"), 403, "forbidden")


@pytest.mark.django_db
def test_authentication_failure_is_401():
    assert_error(client.get("/private"), 401, "unauthorized")
    assert_error(
        client.get("/private", headers={"Authorization": "Bearer not-a-token"}), 401, "unauthorized"
    )


def test_an_unexpected_exception_is_a_500_in_the_same_shape():
    assert_error(client.get("/crash"), 500, "internal_error")


@pytest.mark.django_db
def test_the_real_api_answers_unknown_paths_in_the_same_shape(client):
    response = client.get("/api/no/such/endpoint")
    assert_error(response, 404, "not_found")


@pytest.mark.django_db
def test_the_real_api_publishes_its_openapi_schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "ModelBuilder"
    assert "/api/health" in schema["paths"]
