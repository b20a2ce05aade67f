"""Database calls of websocket middleware and consumers: on a small thread pool of their own.

`database_sync_to_async` is thread-sensitive by default. Django gives each HTTP request its own
thread context, but websocket connections have none, so in a daphne process every websocket's
database call queues on ONE process-wide thread. Measured with `bench/load_test.py --probe` (a burst
of 50 viewers of busy runs on a loaded 2-core machine): a call ran in 1-20 ms but waited 0.2-1.1 s
for that thread, the handshakes took up to 1.9 s, and under heavier load 34 of 50 passed daphne's
connect timeout. These calls are self-contained (no transaction spans two of them, nothing is
thread-bound), so any pool thread may run them; like channels' wrapper, each closes its connection
when it is too old (CONN_MAX_AGE).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings

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


def ws_database_sync_to_async(func):
    """`database_sync_to_async(func)` on the websocket pool instead of the single shared thread."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=ws_executor())
