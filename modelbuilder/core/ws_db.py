"""Database calls of websocket middleware and consumers: on a small thread pool of their own.

`database_sync_to_async` is thread-sensitive by default. Django gives each HTTP request its own
thread context, but websocket connections have none, so in a daphne process every websocket's
database call queues on ONE process-wide thread. Measured with `bench.load_test --probe` (a burst
of 50 viewers of busy runs on a loaded 2-core machine): a call ran in 1-20 ms but waited 0.2-1.1 s
for that thread, the handshakes took up to 1.9 s, and under heavier load 34 of 50 passed daphne's
connect timeout. These calls are self-contained (no transaction spans two of them, nothing is
thread-bound), so any pool thread may run them.

Each pool thread also keeps its database connection for up to a minute (checked with a ping before
reuse), whatever CONN_MAX_AGE says: opening a PostgreSQL connection was most of a call's time
(p50 90-120 ms of a call on the loaded machine), twice per handshake. At most one connection per
pool thread, so MODELBUILDER_WS_DB_THREADS bounds them.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections

KEEP_CONNECTION_S = 60.0

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def ws_executor() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.MODELBUILDER_WS_DB_THREADS, thread_name_prefix="ws-db"
            )
        return _executor


class PoolDatabaseSyncToAsync(DatabaseSyncToAsync):
    def thread_handler(self, loop, *args, **kwargs):
        close_old_connections()  # drops this thread's connection if broken or past its age
        try:
            return SyncToAsync.thread_handler(self, loop, *args, **kwargs)
        finally:
            _keep_connections()


def _keep_connections() -> None:
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        conn.health_check_enabled = True  # the next call pings it before use
        if conn.close_at is not None and conn.close_at <= now:
            # CONN_MAX_AGE=0 set close_at to the connect time: keep it for a while from then on.
            # (A larger CONN_MAX_AGE, or None for no limit, is left as configured.)
            conn.close_at += KEEP_CONNECTION_S


def ws_database_sync_to_async(func):
    """`database_sync_to_async(func)` on the websocket pool instead of the single shared thread."""
    return PoolDatabaseSyncToAsync(func, thread_sensitive=False, executor=ws_executor())
