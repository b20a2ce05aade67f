"""Health checks: plain functions, called by the API and by tests."""

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def health_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ok"
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)}
    return {"ok": True, "vendor": connection.vendor}


def health_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
        version = client.info("server").get("redis_version")
    except Exception as exc:
        return {"ok": False, "error": str(exc)}
    finally:
        client.close()
    return {"ok": True, "version": version}


def health_worker(*, timeout: float | None = None) -> dict[str, Any]:
    """Ping every Celery worker through the broker; ok when at least one answers."""
    from modelbuilder.celery import app

    if timeout is None:
        timeout = settings.MODELBUILDER_HEALTH_PING_TIMEOUT
    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as exc:
        return {"ok": False, "workers": [], "error": str(exc)}
    workers = sorted(name for reply in replies for name in reply)
    result: dict[str, Any] = {"ok": bool(workers), "workers": workers}
    if not workers:
        result["error"] = "no Celery worker answered a ping"
    return result


def health_engine() -> dict[str, Any]:
    try:
        from engine.backend import device_name

        return {"ok": True, "device": device_name()}
    except Exception as exc:
        return {"ok": False, "device": None, "error": f"{type(exc).__name__}: {exc}"}


def health_check() -> dict[str, Any]:
    """State of every part. The worker is pinged only when Redis (its broker) answers."""
    redis_state = health_redis()
    if redis_state["ok"]:
        worker_state = health_worker()
    else:
        worker_state = {"ok": False, "workers": [], "error": "Redis is not reachable"}
    return {
        "database": health_database(),
        "redis": redis_state,
        "worker": worker_state,
        "engine": health_engine(),
    }


def health_ok(state: dict[str, Any]) -> bool:
    return all(part.get("ok") for part in state.values())
