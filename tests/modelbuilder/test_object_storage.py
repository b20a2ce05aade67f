"""Files in S3-compatible object storage, against a real S3 server (moto in server mode, on loopback).

The web side (this process) stores through the settings' S3Storage; a real Celery worker subprocess
configured only by the environment (MODELBUILDER_S3_BUCKET, AWS_*) and with an empty MEDIA_ROOT of
its own trains from the bucket and writes the .h5 back; the download streams (or redirects to a
signed URL) from the bucket. Nothing lands on either side's disk.
"""

import socket
import tempfile
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from modelbuilder.training import services
from modelbuilder.training.models import Run

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "modelbuilder-test"
QUEUE = "objectstore-test"  # a queue of its own: the session's local-disk worker never takes these
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def s3_env(endpoint: str) -> dict[str, str]:
    return {
        "MODELBUILDER_S3_BUCKET": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        **CREDENTIALS,
    }


def storages_from_env(env: dict[str, str]) -> dict:
    """The STORAGES that modelbuilder/settings.py builds from `env`, read in a fresh interpreter."""
    import json
    import os
    import subprocess
    import sys

    full = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "modelbuilder.settings"}
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture
def s3_settings(settings, s3_endpoint, tmp_path):
    """This process (the web side) stores in the bucket, configured exactly as the environment
    would configure it; its MEDIA_ROOT is a fresh empty directory, to show nothing lands there."""
    storages = storages_from_env(s3_env(s3_endpoint))
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = storages
    settings.MEDIA_ROOT = str(tmp_path / "web-media")
    return settings


@pytest.fixture
def s3_worker(subprocess_env, s3_endpoint, monkeypatch):
    """A real worker whose MEDIA_ROOT is an empty directory of its own; runs go to its queue."""
    from modelbuilder.core.embedded_redis import stop_process_group
    from tests.conftest import start_worker

    media = Path(tempfile.mkdtemp(prefix="modelbuilder-worker-media-"))
    env = {**subprocess_env, **s3_env(s3_endpoint), "MEDIA_ROOT": str(media)}
    worker = start_worker(env, queues=QUEUE)
    real = services._enqueue
    monkeypatch.setattr(
        services, "_enqueue", lambda run_id, _q, task_id: real(run_id, QUEUE, task_id)
    )
    yield worker, media
    stop_process_group(worker.proc)
    worker.log_path.unlink(missing_ok=True)


def keys(endpoint: str) -> list[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listing.get("Contents", [])]


def files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def test_upload_train_on_a_worker_without_the_web_disk_and_download(
    s3_settings, s3_worker, s3_endpoint, alice, mb, tmp_path
):
    import time

    from engine.models import load_model

    worker, worker_media = s3_worker
    csv = mb.iris_csv().encode()
    response = mb.upload(alice, mb.csv_upload(csv, "iris.csv"), "iris")
    assert response.status_code == 201, response.content
    dataset = response.json()
    # The object is in the bucket, byte for byte, and nothing is under the web side's MEDIA_ROOT.
    dataset_keys = [k for k in keys(s3_endpoint) if k.startswith("datasets/")]
    assert len(dataset_keys) == 1
    body = s3_client(s3_endpoint).get_object(Bucket=BUCKET, Key=dataset_keys[0])["Body"].read()
    assert body == csv
    assert files_under(s3_settings.MEDIA_ROOT) == []
    preview = alice.get(f"/api/datasets/{dataset['id']}/preview")
    assert preview.status_code == 200 and len(preview.json()["rows"]) > 0

    design = alice.post(
        "/api/designs", {"name": "mlp", "graph": mb.mlp_graph()}, content_type="application/json"
    ).json()
    config = {"loss": "categorical_crossentropy", "optimizer": "adam", "learning_rate": 0.01,
              "epochs": 3, "batch_size": 16, "validation_split": 0.2, "metrics": ["accuracy"],
              "seed": 1}  # fmt: skip
    created = alice.post(
        "/api/runs",
        {"design": design["id"], "dataset": dataset["id"], "target": "species", "config": config},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    run_id = created.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = Run.objects.get(pk=run_id)
        if run.is_terminal:
            break
        time.sleep(0.2)
    assert run.status == "succeeded", (run.status, run.error, worker.log()[-3000:])
    assert run.artifact.name.startswith("models/") and run.artifact.name in keys(s3_endpoint)
    assert files_under(worker_media) == [], "the worker wrote to its local MEDIA_ROOT"
    assert files_under(s3_settings.MEDIA_ROOT) == []

    # Streamed through the API from the bucket; real engine loads it and predicts as the worker did.
    download = alice.get(f"/api/runs/{run_id}/model.h5")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    (tmp_path / "m.h5").write_bytes(content)
    model = load_model(str(tmp_path / "m.h5"))
    check = run.sample_predictions
    np.testing.assert_allclose(
        model.predict(np.array(check["x"], dtype=np.float32), verbose=0),
        np.array(check["y"]),
        rtol=1e-5,
        atol=1e-6,
    )

    # Or a redirect to a short-lived signed URL of the object, which serves the same bytes.
    s3_settings.MODELBUILDER_STORAGE_REDIRECT = True
    redirect = alice.get(f"/api/runs/{run_id}/model.h5")
    assert redirect.status_code == 302
    url = redirect["Location"]
    assert url.startswith(s3_endpoint) and "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
    with urllib.request.urlopen(url, timeout=10) as signed:
        assert signed.read() == content
        assert "attachment" in signed.headers.get("Content-Disposition", "")

    # Deleting the dataset deletes its object.
    assert alice.delete(f"/api/datasets/{dataset['id']}").status_code in (200, 204)
    assert not [k for k in keys(s3_endpoint) if k.startswith("datasets/")]


def test_an_invalid_upload_leaves_no_object(s3_settings, s3_endpoint, alice, mb):
    before = set(keys(s3_endpoint))
    response = mb.upload(alice, mb.csv_upload("a,b\n1,2\n3,inf\n", "bad.csv"), "bad")
    assert response.status_code == 400, response.content
    assert set(keys(s3_endpoint)) == before
