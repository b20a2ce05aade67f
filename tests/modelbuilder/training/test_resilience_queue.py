"""Queue positions follow the order the broker delivers in: a run re-queued after a lost worker, or
resumed after a pause, waits behind the runs queued before that (resilience.run_queue_info)."""

import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from modelbuilder.training import resilience
from modelbuilder.training.execution import run_execute
from modelbuilder.training.models import Run
from tests.modelbuilder.training.test_resilience import (
    TERMINAL,
    create,
    wait_for,
)


def positions(client, ids) -> dict[int, int | None]:
    return {i: client.get(f"/api/runs/{i}/queue").json()["position"] for i in ids}


def lose_worker(run_id: int) -> None:
    """What a worker that claimed the run and died leaves behind: running, heartbeat stale."""
    old = timezone.now() - timedelta(seconds=120)
    Run.objects.filter(pk=run_id).update(status="running", started_at=old, heartbeat_at=old)


@pytest.mark.django_db
def test_a_requeued_or_resumed_run_counts_from_its_new_task(
    alice, run_body, captured_queue, django_capture_on_commit_callbacks
):
    a, b, c = (create(alice, run_body()) for _ in range(3))
    assert positions(alice, [a, b, c]) == {a: 1, b: 2, c: 3}
    lose_worker(a)
    assert positions(alice, [a, b, c]) == {a: None, b: 1, c: 2}
    with django_capture_on_commit_callbacks(execute=True):
        assert resilience.run_reap_lost(stale_after=60)["requeued"] == [a]
    assert positions(alice, [a, b, c]) == {a: 3, b: 1, c: 2}  # behind b and c, as its new task
    alice.post(f"/api/runs/{b}/pause")
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.post(f"/api/runs/{b}/resume").status_code == 200
    assert positions(alice, [a, b, c]) == {a: 2, b: 3, c: 1}
    # new tasks were sent after c's (created first): a's (re-queued), then b's (resumed)
    assert [run_id for run_id, _, _ in captured_queue] == [a, b]


@pytest.mark.django_db
def test_a_stale_task_of_a_requeued_run_is_dropped(alice, run_body, captured_queue):
    run_id = create(alice, run_body())
    old_task = Run.objects.get(pk=run_id).task_id
    alice.post(f"/api/runs/{run_id}/pause")
    alice.post(f"/api/runs/{run_id}/resume")
    run = Run.objects.get(pk=run_id)
    assert run.status == "queued" and run.task_id != old_task
    assert run_execute(run_id=run_id, task_id=old_task) is None  # the old message: dropped
    assert Run.objects.get(pk=run_id).status == "queued"
    assert run_execute(run_id=run_id, task_id=run.task_id).status == "succeeded"


def broker_delivery_order(task_ids: dict[str, int]) -> list[int]:
    """The runs whose task sits in the broker's `cpu` list, in the order workers will take them
    (kombu's Redis transport: LPUSH to send, BRPOP to take: the right end first)."""
    import redis

    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    try:
        raw = client.lrange("cpu", 0, -1)
    finally:
        client.close()
    ids = [json.loads(m)["headers"]["id"] for m in reversed(raw)]
    return [task_ids[t] for t in ids if t in task_ids]


@pytest.mark.django_db(transaction=True)
def test_positions_match_the_order_a_real_worker_starts_them(
    subprocess_env, own_cpu_queue, alice, run_body
):
    """Real broker, real worker: three runs, the first re-queued after a lost worker, the second
    paused and resumed. The positions shown are the order the broker holds and a worker starts."""
    from modelbuilder.core.embedded_redis import stop_process_group
    from tests.conftest import start_worker

    a, b, c = (create(alice, run_body(epochs=2)) for _ in range(3))
    lose_worker(a)  # (its first message stays in the broker: a stale task, dropped when taken)
    assert resilience.run_reap_lost(stale_after=60)["requeued"] == [a]
    alice.post(f"/api/runs/{b}/pause")
    assert alice.post(f"/api/runs/{b}/resume").status_code == 200
    shown = positions(alice, [a, b, c])
    assert shown == {c: 1, a: 2, b: 3}
    current = {Run.objects.get(pk=i).task_id: i for i in (a, b, c)}
    assert broker_delivery_order(current) == sorted(shown, key=shown.get)

    worker = start_worker(subprocess_env)
    try:
        wait_for(
            lambda: all(Run.objects.get(pk=i).status in TERMINAL for i in (a, b, c)),
            90,
            "the three runs to end",
        )
    finally:
        stop_process_group(worker.proc)
    runs = {i: Run.objects.get(pk=i) for i in (a, b, c)}
    assert all(r.status == "succeeded" for r in runs.values()), {
        i: r.error for i, r in runs.items()
    }
    started = sorted(runs, key=lambda i: runs[i].started_at)
    assert started == sorted(shown, key=shown.get), (started, shown)
    assert "is stale" in worker.log()  # a's and b's first tasks were delivered, and dropped
