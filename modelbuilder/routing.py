"""Websocket routes. Each app appends its own patterns (one line each).

scope["user"] is already the session's or the bearer token's user (asgi.py: WebsocketAuthStack).
"""

from django.urls import path

from modelbuilder.core.consumers import HealthConsumer
from modelbuilder.sweeps.consumers import SweepConsumer
from modelbuilder.training.consumers import RunConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/runs/<int:run_id>/", RunConsumer.as_asgi()),
    path("ws/sweeps/<int:sweep_id>/", SweepConsumer.as_asgi()),
]
