"""Celery tasks of the core: thin adapters over the channel layer."""

import socket
from datetime import UTC, datetime

from asgiref.sync import async_to_sync
from celery import shared_task
from channels.layers import get_channel_layer

HEALTH_GROUP = "health"


@shared_task(name="modelbuilder.core.tasks.health_ping", ignore_result=True)
def health_ping(reply_channel: str | None = None, nonce: str | None = None) -> dict:
    """Send a 'pong from the worker' message to one websocket (or to every health socket)."""
    hostname = getattr(health_ping.request, "hostname", None) or socket.gethostname()
    message = {
        "type": "worker_message",
        "worker": hostname,
        "text": "pong from the worker",
        "sent_at": datetime.now(UTC).isoformat(),
    }
    if nonce is not None:
        message["nonce"] = nonce
    layer = get_channel_layer()
    if reply_channel:
        async_to_sync(layer.send)(reply_channel, message)
    else:
        async_to_sync(layer.group_send)(HEALTH_GROUP, message)
    return message
