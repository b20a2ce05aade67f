"""Pause and resume. `run_pause` asks the worker (the checkpoint callback polls the row at most every
POLL_INTERVAL_S, session.py); the worker writes a checkpoint at the batch boundary and the run becomes
`paused`. `run_resume` queues it again; the next worker continues from that batch."""

from __future__ import annotations

import uuid
from functools import partial

from django.db import transaction
from django.utils import timezone

from modelbuilder.core.errors import ApplicationError
from modelbuilder.training import events
from modelbuilder.training.models import Run
from modelbuilder.training.resilience.admission import concurrency_check
from modelbuilder.training.resilience.queue_info import _queue_of


def run_pause(*, run: Run) -> Run:
    """Queued: paused at once. Running: the worker checkpoints at its next batch and pauses."""
    if run.is_terminal:
        raise ApplicationError(
            f"The run has ended ({run.status}); it cannot be paused.", code="run_ended"
        )
    if Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(status=Run.Status.PAUSED):
        from modelbuilder.training.services import _revoke

        _revoke(run.task_id)
        run.refresh_from_db()
        events.run_event_send(run_id=run.pk, event=events.status_event(run))
        return run
    Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(pause_requested=True)
    run.refresh_from_db()
    return run


def run_resume(*, run: Run) -> Run:
    """Paused: queued again (it continues from its checkpoint). Running with a pause asked: the
    request is withdrawn. Anything else is a 400 `not_paused`."""
    from modelbuilder.training.services import _enqueue

    if run.status == Run.Status.RUNNING and run.pause_requested:
        Run.objects.filter(pk=run.pk).update(pause_requested=False)
        run.refresh_from_db()
        return run
    if run.status != Run.Status.PAUSED:
        raise ApplicationError(f"The run is {run.status}, not paused.", code="not_paused")
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        concurrency_check(owner=run.owner)  # under the owner's lock, until the commit
        if Run.objects.filter(pk=run.pk, status=Run.Status.PAUSED).update(
            status=Run.Status.QUEUED,
            resume_reason="paused",
            task_id=task_id,
            pause_requested=False,
            queued_at=timezone.now(),
        ):
            transaction.on_commit(partial(_enqueue, run.pk, _queue_of(run), task_id))
    run.refresh_from_db()
    events.run_event_send(run_id=run.pk, event=events.status_event(run))
    return run
