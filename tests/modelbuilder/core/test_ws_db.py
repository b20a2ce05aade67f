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
