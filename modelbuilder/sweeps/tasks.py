"""Celery adapter: advance a sweep after one of its trials' runs ended. No logic here."""

from celery import shared_task

from modelbuilder.sweeps.services import sweep_advance


@shared_task(name="modelbuilder.sweeps.tasks.advance", acks_late=True)
def advance(sweep_id: int) -> str | None:
    sweep = sweep_advance(sweep_id=sweep_id)
    return sweep.status if sweep else None
