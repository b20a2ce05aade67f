"""The database goes away under a real worker mid-run: first its sessions are ended (a dropped
connection), later the database refuses every new connection for 3 s as well (what a restart looks
like to the worker). The worker retries its writes (modelbuilder/core/db_retry.py) and the run ends
succeeded with epochs 1..N, no gap, no duplicate."""

import contextlib
import time
import uuid

import pytest
from django.db import connection

from modelbuilder.training.models import EpochMetric, Run
from tests.modelbuilder.training.test_resilience import (
    TERMINAL,
    body_for,
    create,
    npz_dataset,
    wait_for,
)

DOWN_S = 3.0


def terminate_sessions(application_name: str) -> int:
    """End every session of the test database opened under `application_name` (the worker's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() AND application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def connections_refused():
    """No new session may open on the test database (ALTER DATABASE ... ALLOW_CONNECTIONS false),
    from a maintenance connection; the sessions already open, this test's included, stay."""
    import psycopg
    from psycopg import sql

    params = connection.get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    name = connection.settings_dict["NAME"]
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        alter = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
        admin.execute(alter.format(sql.Identifier(name), sql.SQL("false")))
        try:
            yield
        finally:
            admin.execute(alter.format(sql.Identifier(name), sql.SQL("true")))


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_its_writes_when_the_database_goes_away(
    subprocess_env, own_cpu_queue, alice, mb, make_design
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no server whose sessions a test can end")
    from modelbuilder.core.embedded_redis import stop_process_group
    from tests.conftest import start_worker

    app_name = f"mb-worker-{uuid.uuid4().hex[:8]}"
    # libpq names the worker's sessions (pg_stat_activity.application_name): only they are ended.
    env = {**subprocess_env, "PGAPPNAME": app_name, "MODELBUILDER_HEARTBEAT_S": "0.3"}
    dataset = npz_dataset(alice, mb, rows=4000)  # 200 batches an epoch
    design = make_design(mb.mlp_graph(inputs=8, hidden=16), name="big")
    epochs = 8
    worker = start_worker(env)
    try:
        run_id = create(alice, body_for(dataset, design, epochs=epochs))
        connection.ensure_connection()  # held through the outage below

        def reach(n: int) -> None:
            wait_for(
                lambda: (
                    EpochMetric.objects.filter(run_id=run_id).count() >= n
                    or Run.objects.get(pk=run_id).status in TERMINAL
                ),
                60,
                f"epoch {n}",
            )
            run = Run.objects.get(pk=run_id)
            assert run.status == "running" and run.epochs.count() < epochs, run.error

        reach(2)
        dropped = terminate_sessions(app_name)  # a dropped connection
        reach(5)
        with connections_refused():  # down for DOWN_S: reconnects fail too
            down = terminate_sessions(app_name)
            time.sleep(DOWN_S)
            during = Run.objects.get(pk=run_id).epochs.count()
        # one session at least each time: the training loop's (the heartbeat thread may have one)
        assert dropped >= 1 and down >= 1, (dropped, down)
        wait_for(lambda: Run.objects.get(pk=run_id).status in TERMINAL, 120, "the run to end")
        run = Run.objects.get(pk=run_id)
        log = worker.log()
        assert run.status == "succeeded", (run.error, log[-3000:])
        assert list(run.epochs.values_list("epoch", flat=True)) == list(range(1, epochs + 1))
        assert "not currently accepting connections" in log, log[-3000:]  # retried while down
        retries = log.count("database: run ")
        print(f"sessions ended {dropped}, {down}; epochs stored while down: {during}; "
              f"retries logged by the worker: {retries}")  # fmt: skip
    finally:
        stop_process_group(worker.proc)


def retried_after_a_lost_answer(fn, *, what):
    """with_db_retry where the first try committed but its answer never came back: fn runs twice and
    only the second answer counts."""
    fn()
    return fn()


@pytest.mark.django_db
def test_a_claim_or_take_over_whose_answer_was_lost_is_still_ours(
    alice, run_body, captured_queue, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from modelbuilder.training import resilience, services
    from modelbuilder.training.resilience import reaper

    monkeypatch.setattr(services, "with_db_retry", retried_after_a_lost_answer)
    monkeypatch.setattr(reaper, "with_db_retry", retried_after_a_lost_answer)  # run_take_over's
    run_id = create(alice, run_body())
    run = services.run_start(run_id=run_id, device="cpu")  # the retry finds its own claim
    assert run is not None and run.status == "running"
    Run.objects.filter(pk=run_id).update(heartbeat_at=timezone.now() - timedelta(seconds=120))
    assert resilience.run_take_over(run=Run.objects.get(pk=run_id), stale_after=60)
    run = Run.objects.get(pk=run_id)
    assert (run.status, run.attempts) == ("queued", 1)  # re-queued once, not twice
    # someone else's claim is still not ours
    assert services.run_start(run_id=run_id, device="cpu") is not None
    assert services.run_start(run_id=run_id, device="cpu") is None
