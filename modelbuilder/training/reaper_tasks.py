"""Celery adapter for the reaper (run it from Celery beat: settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from modelbuilder.training.resilience import run_reap_lost


@shared_task(name="modelbuilder.training.reaper_tasks.reap_lost_runs")
def reap_lost_runs(stale_after: float | None = None) -> dict:
    return run_reap_lost(stale_after=stale_after)
