"""Fixtures for the web apps' tests: users, logged-in clients, token headers, files and graphs."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="alice", password="pw-alice-123")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user(username="bob", password="pw-bob-123")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="staff", password="pw-staff-123", is_staff=True, is_superuser=True
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(user) -> Client:
    return logged_in(user)


@pytest.fixture
def bob(other_user) -> Client:
    return logged_in(other_user)


@pytest.fixture
def anon() -> Client:
    return Client()


@pytest.fixture
def bearer(user) -> dict:
    from modelbuilder.accounts.services import token_create

    _, raw = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def csv_upload(text: str | bytes, name: str = "data.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def npz_upload(name: str = "data.npz", **arrays) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def iris_csv() -> str:
    from modelbuilder.datasets.samples import sample_csv

    return sample_csv("iris").decode()


def upload(client: Client, file, name: str = "", **extra):
    return client.post("/api/datasets", {"file": file, "name": name}, **extra)


def mlp_graph(
    inputs: int = 4, hidden: int = 8, outputs: int = 3, activation: str = "softmax"
) -> dict:
    return {
        "nodes": [
            {
                "id": "in",
                "layer": "Input",
                "params": {"shape": [inputs]},
                "position": {"x": 0, "y": 0},
            },
            {"id": "d1", "layer": "Dense", "params": {"units": hidden, "activation": "relu"}},
            {"id": "out", "layer": "Dense", "params": {"units": outputs, "activation": activation}},
        ],
        "edges": [{"source": "in", "target": "d1"}, {"source": "d1", "target": "out"}],
    }


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The shared error shape: {"error": {"code", "message", "details"}} with this status."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture
def mb():
    """The helpers above, for test modules (conftest modules are not importable by name)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        csv_upload=csv_upload,
        npz_upload=npz_upload,
        iris_csv=iris_csv,
        upload=upload,
        mlp_graph=mlp_graph,
        assert_error=assert_error,
        logged_in=logged_in,
    )
