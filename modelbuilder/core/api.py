"""Core endpoints: GET /api/health (public)."""

from typing import Any

from ninja import Router, Schema, Status

from modelbuilder.core.services import health_check, health_ok

router = Router(tags=["health"])


class HealthOut(Schema):
    database: dict[str, Any]
    redis: dict[str, Any]
    worker: dict[str, Any]
    engine: dict[str, Any]


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def health(request):
    """Database, Redis, Celery workers and engine device. 200 when all are ok, else 503."""
    state = health_check()
    return Status(200 if health_ok(state) else 503, state)
