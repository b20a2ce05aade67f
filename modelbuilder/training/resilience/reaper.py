"""Runs whose worker was lost. `run_reap_lost(stale_after=...)` (Celery task
`reaper_tasks.reap_lost_runs`, command `reap_runs`): a `running` run whose heartbeat is older than
`stale_after` goes back to `queued` (attempts + 1, `resume_reason` "worker_lost") and is queued again;
after MODELBUILDER_MAX_RUN_ATTEMPTS lost workers it fails. The next worker resumes it from its
checkpoint. A task delivered twice (Redis' visibility timeout after a worker died) meets a `running`
run: `run_take_over` takes it only when its heartbeat is stale; otherwise the delivery is a duplicate
and is dropped."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from modelbuilder.core.db_retry import with_db_retry
from modelbuilder.training import events
from modelbuilder.training.models import Run
from modelbuilder.training.resilience.checkpoints import _checkpoints_clean
from modelbuilder.training.resilience.config import _setting, stale_after_default
from modelbuilder.training.resilience.queue_info import _queue_of

logger = logging.getLogger(__name__)


def _is_stale(run: Run, stale_after: float) -> bool:
    seen = run.heartbeat_at or run.started_at
    return seen is None or seen < timezone.now() - timedelta(seconds=stale_after)


def run_take_over(*, run: Run, stale_after: float | None = None) -> bool:
    """A task delivered again found its run `running`. True: the run was lost and is `queued` again
    for this worker to claim. False: another worker is alive on it (a duplicate delivery)."""
    stale_after = stale_after_default() if stale_after is None else stale_after
    if not _is_stale(run, stale_after):
        return False
    task_id = str(uuid.uuid4())

    def take() -> str:
        outcome = _requeue(run, enqueue=False, task_id=task_id)
        if outcome == "alive" and Run.objects.filter(pk=run.pk, task_id=task_id).exists():
            return "requeued"  # a retry whose first try committed but lost its answer
        return outcome

    return with_db_retry(take, what=f"run {run.pk}: take over") == "requeued"


def _max_attempts() -> int:
    return _setting("MODELBUILDER_MAX_RUN_ATTEMPTS", 3)


def _requeue(run: Run, *, enqueue: bool, task_id: str | None = None) -> str:
    """running (lost) -> queued again, or failed after too many lost workers. Conditional on the
    heartbeat we judged: a worker that beat meanwhile keeps its run."""
    from modelbuilder.training.services import _enqueue, run_finish

    same = Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING, heartbeat_at=run.heartbeat_at)
    if run.attempts + 1 > _max_attempts():
        if not same.update(lease=""):
            return "alive"
        run.refresh_from_db()
        run_finish(
            run=run,
            status=Run.Status.FAILED,
            error=f"The worker training this run was lost {run.attempts + 1} times "
            f"(the limit is {_max_attempts()}); start the run again.",
        )
        return "failed"
    task_id = task_id or str(uuid.uuid4())
    with transaction.atomic():
        if not same.update(
            status=Run.Status.QUEUED,
            lease="",
            attempts=run.attempts + 1,
            resume_reason="worker_lost",
            task_id=task_id,
            queued_at=timezone.now(),  # a new task at the broker's tail: it waits its turn again
        ):
            return "alive"
        if enqueue:
            transaction.on_commit(partial(_enqueue, run.pk, _queue_of(run), task_id))
    run.refresh_from_db()
    events.run_event_send(run_id=run.pk, event=events.status_event(run))
    return "requeued"


def run_reap_lost(*, stale_after: float | None = None) -> dict:
    """Re-queue (or fail) every `running` run whose heartbeat is older than `stale_after` seconds;
    delete the checkpoints of ended runs. Returns {"requeued": [ids], "failed": [ids]}."""
    stale_after = stale_after_default() if stale_after is None else stale_after
    limit = timezone.now() - timedelta(seconds=stale_after)
    found = {"requeued": [], "failed": []}
    lost = Run.objects.filter(status=Run.Status.RUNNING).exclude(heartbeat_at__gte=limit)
    for run in lost:
        if _is_stale(run, stale_after):
            outcome = _requeue(run, enqueue=True)
            if outcome in found:
                found[outcome].append(run.pk)
    _checkpoints_clean()
    if found["requeued"] or found["failed"]:
        logger.warning("reaper: %s", found)
    return found
