"""with_db_retry: retries across a lost connection, gives up after its bound with the original error,
never retries inside the caller's transaction (modelbuilder/core/db_retry.py)."""

import logging

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction

from modelbuilder.core import db_retry
from modelbuilder.core.db_retry import with_db_retry


class Flaky:
    """Fails `failures` times with `error`, then answers 42."""

    def __init__(self, failures: int, error: Exception):
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return 42


def test_retries_then_answers_with_growing_waits_and_logs_each_retry(caplog, monkeypatch):
    closed = []
    monkeypatch.setattr(db_retry, "_drop_connections", lambda: closed.append(1))
    waits = []
    fn = Flaky(4, OperationalError("server closed the connection unexpectedly"))
    with caplog.at_level(logging.WARNING, logger="modelbuilder.core.db_retry"):
        assert with_db_retry(fn, what="store epoch 3", budget=60, sleep=waits.append) == 42
    assert fn.calls == 5 and len(closed) == 4  # the broken connection is dropped before each retry
    assert waits == pytest.approx([0.2, 0.4, 0.8, 1.6])
    retries = [r.getMessage() for r in caplog.records]
    assert len(retries) == 4 and all("store epoch 3 failed" in m for m in retries)
    assert "server closed the connection unexpectedly" in retries[0] and "retry 4" in retries[3]


def test_waits_are_capped_and_it_gives_up_after_the_budget_with_the_original_error(
    caplog, monkeypatch
):
    monkeypatch.setattr(db_retry, "_drop_connections", lambda: None)
    clock = [0.0]
    monkeypatch.setattr(db_retry.time, "monotonic", lambda: clock[0])
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

    error = OperationalError("could not connect to server: Connection refused")
    fn = Flaky(10**6, error)
    with caplog.at_level(logging.WARNING, logger="modelbuilder.core.db_retry"):
        with pytest.raises(OperationalError) as raised:
            with_db_retry(fn, what="heartbeat", budget=20, sleep=sleep)
    assert raised.value is error
    assert max(waits) == db_retry.MAX_DELAY_S and sum(waits) == pytest.approx(20)
    last = caplog.records[-1]
    assert last.levelno == logging.ERROR
    assert "heartbeat failed" in last.getMessage() and "giving up" in last.getMessage()
    assert "MODELBUILDER_DB_RETRY_S=20" in last.getMessage()


def test_other_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(db_retry, "_drop_connections", lambda: None)
    fn = Flaky(1, IntegrityError("duplicate key"))
    with pytest.raises(IntegrityError):
        with_db_retry(fn, what="x", budget=60, sleep=lambda s: None)
    assert fn.calls == 1


def test_the_budget_comes_from_the_setting(settings):
    settings.MODELBUILDER_DB_RETRY_S = 7
    assert db_retry.retry_budget() == 7.0


@pytest.mark.django_db
def test_nothing_is_retried_inside_the_callers_transaction(monkeypatch):
    monkeypatch.setattr(db_retry, "_drop_connections", lambda: pytest.fail("closed in a txn"))
    fn = Flaky(1, OperationalError("lost"))
    with transaction.atomic(), pytest.raises(OperationalError):
        with_db_retry(fn, what="x", budget=60, sleep=lambda s: None)
    assert fn.calls == 1


@pytest.mark.django_db(transaction=True)
def test_a_terminated_postgresql_session_is_reopened(caplog):
    """A real fault: the server ends this process's session; the next query retries and answers."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL (SQLite has no server session to end)")
    import psycopg
    from django.contrib.auth.models import User

    User.objects.create(username="before")
    pid = connection.cursor().connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    with pytest.raises(DatabaseError):  # without the retry: the dead session fails the query
        User.objects.count()
    connection.close()
    pid = connection.cursor().connection.info.backend_pid
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with caplog.at_level(logging.WARNING, logger="modelbuilder.core.db_retry"):
        assert with_db_retry(User.objects.count, what="count users", budget=10) == 1
    assert "count users failed" in caplog.text
    assert connection.cursor().connection.info.backend_pid != pid
