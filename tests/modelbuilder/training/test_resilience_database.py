"""The database drops a real worker's connections mid-run (twice): the worker retries its writes
(modelbuilder/core/db_retry.py) and the run ends succeeded with epochs 1..N, no gap, no duplicate."""

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


def terminate_sessions(application_name: str) -> int:
    """End every session of the test database opened under `application_name` (the worker's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() AND application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_its_writes_when_the_database_drops_its_connections(
    subprocess_env,
    own_cpu_queue,
    alice,
    mb,
    make_design,
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
        ended = []
        for after_epoch in (2, 5):
            wait_for(
                lambda n=after_epoch: EpochMetric.objects.filter(run_id=run_id).count() >= n,
                60,
                f"epoch {after_epoch}",
            )
            run = Run.objects.get(pk=run_id)
            assert run.status == "running" and run.epochs.count() < epochs, "ended too soon"
            ended.append(terminate_sessions(app_name))
        # one session at least each time: the training loop's (the heartbeat thread may have one)
        assert all(n >= 1 for n in ended), ended
        wait_for(lambda: Run.objects.get(pk=run_id).status in TERMINAL, 120, "the run to end")
        run = Run.objects.get(pk=run_id)
        log = worker.log()
        assert run.status == "succeeded", (run.error, log[-3000:])
        assert list(run.epochs.values_list("epoch", flat=True)) == list(range(1, epochs + 1))
        retries = log.count("database: run ")
        assert retries >= 2, log[-3000:]  # each drop was met by a logged retry
        print(f"sessions ended {ended}; retries logged by the worker: {retries}")
    finally:
        stop_process_group(worker.proc)
