"""Retry a database call across a lost connection (the database restarting, a dropped session).

A training worker holds its connection for minutes or hours; when PostgreSQL restarts or an
administrator ends the session, the next query fails with `OperationalError`/`InterfaceError` and
every later one with "connection already closed". `with_db_retry(fn, what=...)` closes this thread's
broken connections (Django opens a new one on the next query), waits (0.2 s, doubling, at most 5 s)
and calls `fn` again, until MODELBUILDER_DB_RETRY_S (60 s) have passed; then it raises the last
error. Each retry is logged with `what`.

`fn` must be safe to call twice: a conditional update, an `update_or_create` on a unique key, a read.
Inside the caller's own `transaction.atomic()` nothing is retried: the transaction is lost with the
connection, and only its owner can replay it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_DELAY_S = 0.2
MAX_DELAY_S = 5.0
RETRYABLE = (OperationalError, InterfaceError)


def retry_budget() -> float:
    """Seconds a write keeps retrying: settings.MODELBUILDER_DB_RETRY_S (or the environment), 60."""
    value = getattr(settings, "MODELBUILDER_DB_RETRY_S", None)
    if value is None:
        value = os.environ.get("MODELBUILDER_DB_RETRY_S")
    return float(value) if value not in (None, "") else 60.0


def _in_transaction() -> bool:
    return any(c.in_atomic_block for c in connections.all(initialized_only=True))


def _drop_connections() -> None:
    """Close this thread's connections; Django reconnects on the next query."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # closing a dead socket can fail too; the object is reset either way
            conn.connection = None


def with_db_retry(
    fn: Callable[[], T],
    *,
    what: str,
    budget: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`fn()`, retried across lost database connections for at most `budget` seconds."""
    if _in_transaction():
        return fn()
    budget = retry_budget() if budget is None else budget
    started = time.monotonic()
    delay, attempt = FIRST_DELAY_S, 0
    while True:
        try:
            return fn()
        except RETRYABLE as exc:
            attempt += 1
            _drop_connections()
            elapsed = time.monotonic() - started
            if elapsed >= budget:
                logger.error(
                    "database: %s failed %d time(s) over %.1f s; giving up (the limit is "
                    "MODELBUILDER_DB_RETRY_S=%g): %s: %s",
                    what, attempt, elapsed, budget, type(exc).__name__, exc,
                )  # fmt: skip
                raise
            wait = min(delay, budget - elapsed)
            logger.warning(
                "database: %s failed (%s: %s); retry %d in %.1f s",
                what, type(exc).__name__, str(exc).strip(), attempt, wait,
            )  # fmt: skip
            sleep(wait)
            delay = min(delay * 2, MAX_DELAY_S)


def db_retry(what: str):
    """Decorator form of `with_db_retry` for a function whose whole body is safe to repeat."""

    def decorate(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            return with_db_retry(lambda: fn(*args, **kwargs), what=what)

        return wrapper

    return decorate
