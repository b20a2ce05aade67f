"""Websocket database calls run on a pool, side by side, not one after another on one thread."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from modelbuilder.core.ws_db import ws_database_sync_to_async

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_calls_run_side_by_side_on_the_pool():
    threads = set()

    def slow_query():  # stands in for a database round trip (I/O: the GIL is released)
        threads.add(threading.current_thread().name)
        time.sleep(0.3)

    began = time.monotonic()
    await asyncio.gather(*(ws_database_sync_to_async(slow_query)() for _ in range(8)))
    elapsed = time.monotonic() - began
    assert settings.MODELBUILDER_WS_DB_THREADS >= 8
    assert all(name.startswith("ws-db") for name in threads)
    assert elapsed < 8 * 0.3 / 2, f"8 calls of 0.3 s took {elapsed:.2f} s: they queued"


async def test_the_single_shared_thread_is_what_it_replaces():
    """The default (thread-sensitive) wrapper outside a request runs them one after another."""

    def slow_query():
        time.sleep(0.2)

    began = time.monotonic()
    await asyncio.gather(*(sync_to_async(slow_query)() for _ in range(4)))
    assert time.monotonic() - began >= 4 * 0.2


def this_connection() -> tuple[str, int | None]:
    from django.db import connection

    connection.ensure_connection()
    return threading.current_thread().name, id(connection.connection)


async def test_a_pool_thread_keeps_its_connection_between_calls():
    n = 3 * settings.MODELBUILDER_WS_DB_THREADS  # more calls than threads: some thread repeats
    calls = [await ws_database_sync_to_async(this_connection)() for _ in range(n)]
    by_thread: dict[str, set[int]] = {}
    for thread, conn in calls:
        by_thread.setdefault(thread, set()).add(conn)
    assert any(len(conns) == 1 for thread, conns in by_thread.items()), calls
    assert len(calls) > len(by_thread)  # some thread ran more than one call...
    assert all(len(conns) == 1 for conns in by_thread.values())  # ...on the connection it had


async def test_a_connection_the_server_dropped_is_replaced():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are not dropped by a server")

    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    call = ws_database_sync_to_async(backend_pid)
    pids = {await call() for _ in range(4)}

    def terminate():
        with connection.cursor() as cursor:
            for pid in pids:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    await sync_to_async(terminate)()
    new_pids = {await call() for _ in range(4)}  # no error: the ping before reuse fails, reconnect
    assert not new_pids & pids
