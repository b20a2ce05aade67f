"""Live sweep events over the channel layer: one group per sweep, `sweep_<id>`.

Payloads are the websocket messages themselves: {"type": "trial", "trial": {...}} and
{"type": "status", "status", "error", "best_trial", "finished_at"}. Sent after the commit that
stored them, so a snapshot read after joining the group never misses one.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def sweep_group(sweep_id: int) -> str:
    return f"sweep_{sweep_id}"


def _send(sweep_id: int, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            sweep_group(sweep_id), {"type": "sweep.event", "event": event}
        )
    except Exception:
        logger.exception("Could not broadcast %s for sweep %s", event.get("type"), sweep_id)


def sweep_event_send(*, sweep_id: int, event: dict) -> None:
    """Broadcast once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _send(sweep_id, event))
