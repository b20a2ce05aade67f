"""POST/GET/DELETE /api/datasets, preview, the upload limit, ownership and the sample loader."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from modelbuilder.datasets.models import Dataset

pytestmark = pytest.mark.django_db

SMALL = "a;b;label\n1;2;x\n3;4;y\n5;6;x\n"


def media_files(settings) -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_it_uploads_iris_with_schema_and_hash(alice, mb):
    data = mb.iris_csv()
    response = mb.upload(alice, mb.csv_upload(data, "iris.csv"), "Iris")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Iris" and body["format"] == "csv" and body["rows"] == 150
    assert body["sha256"] == hashlib.sha256(data.encode()).hexdigest()
    assert body["owner"] == "alice" and body["status"] == "ready"
    species = body["columns"][-1]
    assert species["kind"] == "categorical"
    assert species["classes"] == {"setosa": 50, "versicolor": 50, "virginica": 50}
    assert body["columns"][0]["min"] == pytest.approx(4.3)
    stored = Dataset.objects.get(pk=body["id"])
    assert Path(stored.file.path).read_bytes() == data.encode()


def test_values_near_the_float_limit_give_finite_statistics(alice, mb):
    """Sums of values near 1e308 overflow; the stored schema must still be finite JSON (PostgreSQL
    refuses Infinity) and right."""
    rows = ["big,label"] + [
        f"{v},{c}"
        for v, c in [("1.5e308", "x"), ("1.5e308", "y"), ("-1.5e308", "x"), ("1.5e308", "y")]
    ]
    response = mb.upload(alice, mb.csv_upload("\n".join(rows) + "\n", "big.csv"))
    assert response.status_code == 201, response.content
    big = response.json()["columns"][0]
    assert big["mean"] == pytest.approx(0.75e308) and big["std"] == pytest.approx(
        np.sqrt(0.75) * 1.5e308
    )
    x = np.array([[1.7e308, -1.7e308], [1.7e308, 1.7e308]])
    response = mb.upload(alice, mb.npz_upload(x=x, y=np.array([0, 1])), "big npz")
    assert response.status_code == 201, response.content
    assert Dataset.objects.get(pk=response.json()["id"]).schema


def test_the_name_defaults_to_the_file_name(alice, mb):
    assert mb.upload(alice, mb.csv_upload(SMALL, "my data.csv")).json()["name"] == "my data"


def test_it_uploads_npz(alice, mb):
    x = np.random.default_rng(0).normal(size=(12, 3)).astype(np.float32)
    response = mb.upload(alice, mb.npz_upload(x=x, y=np.arange(12) % 3), "arrays")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == "npz" and body["summary"]["x_shape"] == [12, 3]
    preview = alice.get(f"/api/datasets/{body['id']}/preview").json()
    assert len(preview["rows"]) == 12 and preview["columns"] == ["x[0]", "x[1]", "x[2]", "y"]


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "empty"),
        (b"1,2\n3,4\n", "no header"),
        (b"a,b\n1,2\n3\n", "Line 3"),
        (b"a,b\n1,2\n", "at least 2"),
        (b"a,b\n1,2\n3,nan\n", "Line 3, column 'b'"),
        (b"a,b\n1,2\n3,x\n4,5\n", "Line 3, column 'b'"),
        (b"a,b\n1,2\n3,\xff\n", "not UTF-8"),
        (b"PK\x03\x04broken", "NPZ"),
    ],
)
def test_bad_files_are_400_and_leave_nothing_behind(alice, mb, settings, content, fragment):
    before = media_files(settings)
    error = mb.assert_error(mb.upload(alice, mb.csv_upload(content)), 400, "invalid_dataset")
    assert fragment in error["message"]
    assert Dataset.objects.count() == 0
    assert media_files(settings) == before


def test_npz_without_y_is_400(alice, mb):
    error = mb.assert_error(mb.upload(alice, mb.npz_upload(x=np.ones((3, 2)))), 400)
    assert error["details"] == {"column": "y"}
    assert Dataset.objects.count() == 0


def test_line_and_column_are_in_the_details(alice, mb):
    error = mb.assert_error(mb.upload(alice, mb.csv_upload("a,b\n1,2\n3,inf\n")), 400)
    assert error["details"] == {"line": 3, "column": "b"}


def test_missing_file_is_a_4xx_in_the_error_shape(alice, mb):
    mb.assert_error(alice.post("/api/datasets", {"name": "x"}), 422, "validation_error")


def test_over_the_size_limit_is_413(alice, mb, settings):
    settings.MODELBUILDER_MAX_UPLOAD_BYTES = 1000
    before = media_files(settings)
    big = "a,b\n" + "1,2\n" * 400
    error = mb.assert_error(mb.upload(alice, mb.csv_upload(big)), 413, "upload_too_large")
    assert error["details"]["limit_bytes"] == 1000
    assert Dataset.objects.count() == 0 and media_files(settings) == before
    assert mb.upload(alice, mb.csv_upload(SMALL)).status_code == 201


def test_list_get_preview_delete(alice, mb, django_capture_on_commit_callbacks):
    created = mb.upload(alice, mb.csv_upload(SMALL), "small").json()
    assert [d["id"] for d in alice.get("/api/datasets").json()] == [created["id"]]
    assert alice.get(f"/api/datasets/{created['id']}").json()["rows"] == 3
    preview = alice.get(f"/api/datasets/{created['id']}/preview").json()
    assert preview["columns"] == ["a", "b", "label"]
    assert preview["rows"] == [["1", "2", "x"], ["3", "4", "y"], ["5", "6", "x"]]
    assert preview["stats"][0]["mean"] == 3
    path = Path(Dataset.objects.get(pk=created["id"]).file.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.delete(f"/api/datasets/{created['id']}").status_code == 204
    assert not path.exists()
    mb.assert_error(alice.get(f"/api/datasets/{created['id']}"), 404, "not_found")


@pytest.mark.parametrize(
    "method, suffix",
    [
        ("get", ""),
        ("get", "/preview"),
        ("delete", ""),
    ],
)
def test_another_user_gets_404_and_anonymous_401(alice, bob, anon, mb, method, suffix):
    dataset_id = mb.upload(alice, mb.csv_upload(SMALL)).json()["id"]
    url = f"/api/datasets/{dataset_id}{suffix}"
    mb.assert_error(getattr(bob, method)(url), 404, "not_found")
    mb.assert_error(getattr(anon, method)(url), 401, "unauthorized")
    assert bob.get("/api/datasets").json() == []
    assert Dataset.objects.filter(pk=dataset_id).exists()


def test_anonymous_cannot_upload_or_list(anon, mb):
    mb.assert_error(mb.upload(anon, mb.csv_upload(SMALL)), 401)
    mb.assert_error(anon.get("/api/datasets"), 401)
    assert Dataset.objects.count() == 0


def test_bearer_token_uploads(anon, bearer, mb):
    response = mb.upload(anon, mb.csv_upload(SMALL), "scripted", **bearer)
    assert response.status_code == 201 and response.json()["owner"] == "alice"


def test_load_samples_installs_public_datasets_once(alice, bob, mb):
    call_command("load_samples", stdout=open("/dev/null", "w"))
    call_command("load_samples", stdout=open("/dev/null", "w"))
    samples = Dataset.objects.filter(owner=None, is_public=True)
    assert sorted(samples.values_list("name", flat=True)) == [
        "breast_cancer",
        "digits",
        "iris",
        "wine",
    ]
    rows = dict(samples.values_list("name", "rows"))
    assert rows == {"iris": 150, "wine": 178, "breast_cancer": 569, "digits": 1797}
    names = {d["name"] for d in bob.get("/api/datasets").json()}
    assert names == {"iris", "wine", "breast_cancer", "digits"}
    iris = samples.get(name="iris")
    assert alice.get(f"/api/datasets/{iris.pk}/preview").status_code == 200
    mb.assert_error(alice.delete(f"/api/datasets/{iris.pk}"), 403, "forbidden")


def browser(user, mb):
    """A session client that, like a browser, must send the CSRF token."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = "a" * 32
    return client, {"HTTP_X_CSRFTOKEN": "a" * 32}


def test_a_browser_upload_passes_the_csrf_check_and_the_size_limit(user, mb, settings):
    client, csrf = browser(user, mb)
    assert mb.upload(client, mb.csv_upload(SMALL)).status_code == 403  # no CSRF header
    assert mb.upload(client, mb.csv_upload(SMALL), **csrf).status_code == 201
    settings.MODELBUILDER_MAX_UPLOAD_BYTES = 1000
    big = "a,b\n" + "1,2\n" * 400
    mb.assert_error(mb.upload(client, mb.csv_upload(big), **csrf), 413, "upload_too_large")
    assert Dataset.objects.count() == 1


def test_a_large_upload_streams_through_a_temporary_file(alice, mb, settings, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from modelbuilder.datasets import services

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 256  # anything bigger goes to a temp file on disk
    seen = []
    real = services.dataset_ingest
    monkeypatch.setattr(
        services, "dataset_ingest", lambda **kw: seen.append(type(kw["file"])) or real(**kw)
    )
    data = "a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(500))
    response = mb.upload(alice, mb.csv_upload(data))
    assert response.status_code == 201 and response.json()["rows"] == 500
    assert seen == [TemporaryUploadedFile]
