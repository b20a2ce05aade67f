"""Websocket routes. Each app appends its own patterns (one line each)."""

from django.urls import path

from modelbuilder.core.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
]
