"""Where does a websocket handshake spend its time? An instrumented copy of the ASGI application.

Serve it instead of `modelbuilder.asgi:application` (python -m bench.load_test --probe does):

    MODELBUILDER_WS_PROBE_LOG=/tmp/probe.jsonl daphne bench.web_ws_probe:application

For each websocket it appends one JSON line to that file when the snapshot has been sent (or the
connection ended first), with wall-clock (`time.time()`) marks, so they compare with the client's:

- `app`: daphne called the application (its own HTTP upgrade parsing is before this);
- `db`: each `database_sync_to_async` call: its function, when it was submitted, when its thread
  started it (the difference is the wait for the executor's thread), when it returned, and on which
  thread it ran (the thread-sensitive single thread, or a pool thread);
- `group_add`, `accept`, `snapshot_sent`: the consumer's steps (Redis, the accept sent to daphne,
  the first message sent).

A second line kind, `{"lag": ...}`, samples the event loop's lag every 100 ms (how late a 100 ms
sleep wakes up): a blocked loop delays every handshake at once. A bench helper, not served in
production: the patches below wrap library internals only to observe them.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
import os
import threading
import time

from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from modelbuilder.asgi import application as real_application

if os.environ.get("MODELBUILDER_WS_PROBE_LEGACY") == "1":
    # The stack before the fix, for an A/B on the same machine at the same time: channels'
    # AuthMiddlewareStack + the bearer middleware, and the consumers' calls on the single thread.
    from channels.auth import AuthMiddlewareStack
    from channels.db import database_sync_to_async
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.core.asgi import get_asgi_application
    from django.urls import path

    from modelbuilder.core.auth import BearerTokenAuthMiddleware
    from modelbuilder.core.origin import BrowserOriginValidator
    from modelbuilder.sweeps import consumers as sweep_consumers
    from modelbuilder.training import consumers as run_consumers

    run_consumers.ws_database_sync_to_async = database_sync_to_async
    sweep_consumers.ws_database_sync_to_async = database_sync_to_async
    real_application = ProtocolTypeRouter(
        {
            "http": get_asgi_application(),
            "websocket": BrowserOriginValidator(
                AuthMiddlewareStack(
                    URLRouter(
                        [
                            path(
                                "ws/runs/<int:run_id>/",
                                BearerTokenAuthMiddleware(run_consumers.RunConsumer.as_asgi()),
                            )
                        ]
                    )
                )
            ),
        }
    )

LOG_PATH = os.environ.get("MODELBUILDER_WS_PROBE_LOG", "ws-probe.jsonl")
_record: contextvars.ContextVar[dict | None] = contextvars.ContextVar("ws_probe", default=None)
_lock = threading.Lock()
_lag_task = None


def _write(line: dict) -> None:
    with _lock, open(LOG_PATH, "a") as out:
        out.write(json.dumps(line) + "\n")


def _flush(record: dict) -> None:
    if not record.get("written"):
        record["written"] = True
        _write({k: v for k, v in record.items() if k != "written"})


# --- database_sync_to_async: submit -> thread start -> return -----------------------------------
_real_call = DatabaseSyncToAsync.__call__


async def _probed_call(self, *args, **kwargs):
    record = _record.get()
    if record is None:
        return await _real_call(self, *args, **kwargs)
    call = {"fn": getattr(self.func, "__qualname__", repr(self.func)), "submit": time.time()}
    record["db"].append(call)
    real_func = self.func

    def timed(*a, **k):  # runs on the executor's thread; connection set-up counts as "run"
        call["start"] = time.time()
        call["thread"] = threading.current_thread().name
        try:
            return real_func(*a, **k)
        finally:
            call["end"] = time.time()

    clone = copy.copy(self)  # same executor choice (thread_sensitive), timed function
    clone.func = timed
    try:
        return await _real_call(clone, *args, **kwargs)
    finally:
        call["done"] = time.time()


DatabaseSyncToAsync.__call__ = _probed_call


# --- the consumer's steps -------------------------------------------------------------------------
_real_accept = AsyncWebsocketConsumer.accept
_real_send = AsyncWebsocketConsumer.send


async def _probed_accept(self, *args, **kwargs):
    record = _record.get()
    if record is not None:
        record["accept"] = time.time()
    return await _real_accept(self, *args, **kwargs)


async def _probed_send(self, *args, **kwargs):
    result = await _real_send(self, *args, **kwargs)
    record = _record.get()
    if record is not None and "snapshot_sent" not in record:
        record["snapshot_sent"] = time.time()
        _flush(record)
    return result


AsyncWebsocketConsumer.accept = _probed_accept
AsyncWebsocketConsumer.send = _probed_send


def _probe_layer() -> None:
    layer = get_channel_layer()
    real_group_add = layer.group_add

    async def group_add(group, channel):
        record = _record.get()
        began = time.time()
        try:
            return await real_group_add(group, channel)
        finally:
            if record is not None:
                record["group_add"] = [began, time.time()]

    layer.group_add = group_add


async def _sample_lag() -> None:
    while True:
        began = time.monotonic()
        await asyncio.sleep(0.1)
        _write({"lag": round(time.monotonic() - began - 0.1, 4), "at": time.time()})


async def application(scope, receive, send):
    global _lag_task
    if _lag_task is None:
        _probe_layer()
        _lag_task = asyncio.ensure_future(_sample_lag())
    if scope["type"] != "websocket":
        return await real_application(scope, receive, send)
    record = {"path": scope["path"], "app": time.time(), "db": []}
    _record.set(record)
    try:
        return await real_application(scope, receive, send)
    finally:
        record["end"] = time.time()
        _flush(record)
