"""Websocket routes. Each app appends its own patterns (one line each)."""

from django.urls import path

from modelbuilder.core.auth import BearerTokenAuthMiddleware
from modelbuilder.core.consumers import HealthConsumer
from modelbuilder.sweeps.consumers import SweepConsumer
from modelbuilder.training.consumers import RunConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/runs/<int:run_id>/", BearerTokenAuthMiddleware(RunConsumer.as_asgi())),
    path("ws/sweeps/<int:sweep_id>/", BearerTokenAuthMiddleware(SweepConsumer.as_asgi())),
]
