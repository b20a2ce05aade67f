"""Live run events over the channel layer: one group per run, `run_<id>`.

Event payloads are the websocket messages themselves ({"type": "epoch"|"progress"|"status", ...});
the consumer relays them unchanged.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def run_group(run_id: int) -> str:
    return f"run_{run_id}"


def run_event_send(*, run_id: int, event: dict) -> None:
    """Broadcast one event. A broken channel layer is logged, never fails the training."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(run_group(run_id), {"type": "run.event", "event": event})
    except Exception:
        logger.exception("Could not broadcast %s for run %s", event.get("type"), run_id)


def status_event(run) -> dict:
    return {
        "type": "status",
        "status": run.status,
        "error": run.error or None,
        "device": run.device or None,
        "wall_time": run.wall_time,
        "final_metrics": run.final_metrics or None,
    }
