"""Celery adapter: advance a sweep after one of its trials' runs ended. No logic here."""

from celery import shared_task
from django.db import OperationalError

from modelbuilder.sweeps.services import sweep_advance


# Two trials ending at once on two workers: the sweep row is locked (select_for_update); on SQLite
# the loser may see "database is locked" and simply tries again.
@shared_task(
    name="modelbuilder.sweeps.tasks.advance",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=1,
    max_retries=5,
)
def advance(sweep_id: int) -> str | None:
    sweep = sweep_advance(sweep_id=sweep_id)
    return sweep.status if sweep else None
