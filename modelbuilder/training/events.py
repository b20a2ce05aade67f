"""Live run events over the channel layer: one group per run, `run_<id>`.

Event payloads are the websocket messages themselves ({"type": "epoch"|"progress"|"status", ...});
the consumer relays them unchanged.
"""

import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
FAILURE_LOG_EVERY_S = 10.0  # while the channel layer is down: one log line per this many seconds


class _FailureLog:
    """Logs the first failed broadcast with its traceback, then one line per FAILURE_LOG_EVERY_S
    with the count (progress alone is 5 events a second: a Redis outage must not flood the log)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last = float("-inf")
        self.quiet = 0

    def failed(self, event_type, run_id, exc: Exception) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.last < FAILURE_LOG_EVERY_S:
                self.quiet += 1
                return
            quiet, self.quiet, first = self.quiet, 0, self.last == float("-inf")
            self.last = now
        extra = f" ({quiet} more failed since the last line)" if quiet else ""
        logger.error(
            "Could not broadcast %s for run %s: %s: %s%s",
            event_type, run_id, type(exc).__name__, exc, extra, exc_info=first,
        )  # fmt: skip

    def succeeded(self) -> None:
        if self.last != float("-inf"):
            with self.lock:
                self.last, self.quiet = float("-inf"), 0


_failures = _FailureLog()


def run_group(run_id: int) -> str:
    return f"run_{run_id}"


def run_event_send(*, run_id: int, event: dict) -> None:
    """Broadcast one event. A broken channel layer is logged, never fails the training."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(run_group(run_id), {"type": "run.event", "event": event})
    except Exception as exc:  # not retried: the page re-reads stored epochs (docs/resilience.md)
        _failures.failed(event.get("type"), run_id, exc)
    else:
        _failures.succeeded()


def status_event(run) -> dict:
    return {
        "type": "status",
        "status": run.status,
        "error": run.error or None,
        "device": run.device or None,
        "wall_time": run.wall_time,
        "final_metrics": run.final_metrics or None,
    }
