"""GET /api/health against the real database, Redis and a real Celery worker subprocess."""

import pytest


@pytest.mark.django_db
def test_health_is_green_with_a_real_worker(client, celery_worker_proc):
    response = client.get("/api/health")

    body = response.json()
    assert response.status_code == 200, body
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["worker"]["ok"] is True
    assert celery_worker_proc.name in body["worker"]["workers"]
    assert body["engine"] == {"ok": True, "device": "cpu"}


@pytest.mark.django_db
def test_health_is_503_when_redis_is_unreachable(client, settings):
    from modelbuilder.core.embedded_redis import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = client.get("/api/health")

    body = response.json()
    assert response.status_code == 503
    assert body["redis"]["ok"] is False and body["redis"]["error"]
    assert body["worker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_a_503_from_health_is_not_logged_as_an_error_but_other_errors_are():
    import logging

    from modelbuilder.core.logging import SkipHealthCheckErrors

    def record(path, status):
        rec = logging.LogRecord("django.request", logging.ERROR, "", 0, "%s: %s", None, None)
        rec.args = ("Service Unavailable" if status == 503 else "Internal Server Error", path)
        rec.status_code = status
        return rec

    keep = SkipHealthCheckErrors().filter
    assert keep(record("/api/health", 503)) is False
    assert keep(record("/api/health", 500)) is True
    assert keep(record("/api/runs", 503)) is True
