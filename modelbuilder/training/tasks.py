"""Celery adapter: fetch by id, call the service. No logic here."""

from celery import shared_task

from modelbuilder.training.execution import run_execute
from modelbuilder.training.services import run_fail_stale


@shared_task(name="modelbuilder.training.tasks.train", acks_late=True, bind=True)
def train(self, run_id: int) -> str | None:
    try:
        run = run_execute(run_id=run_id, task_id=self.request.id)
    except BaseException as exc:  # e.g. the database went away mid-run: do not leave it running
        run_fail_stale(run_id=run_id, message=f"The worker failed: {type(exc).__name__}: {exc}")
        raise
    return run.status if run else None
