"""The hooks from training to sweeps (no change to the training app is needed):

- when a trial's run is saved in an ended status (every run ends through
  `training.services.run_finish`, which saves `status`), queue `sweeps.tasks.advance` after the commit;
- when a run stores an epoch (`EpochMetric`, saved by the worker's epoch callback), run the median
  pruning check (`pruning.sweep_prune_check`) right after that commit, in the worker itself: a queued
  task could wait behind the very training it should stop.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from modelbuilder.training.models import EpochMetric, Run

logger = logging.getLogger(__name__)


def _queue_advance(sweep_id: int) -> None:
    from modelbuilder.sweeps.tasks import advance

    try:
        advance.delay(sweep_id)
    except Exception:  # the broker is down: GET /api/sweeps/{id} reconciles later
        logger.exception("Could not queue the advance of sweep %s", sweep_id)


@receiver(post_save, sender=Run, dispatch_uid="sweeps.run_ended")
def run_ended(sender, instance: Run, created: bool, update_fields=None, **kwargs) -> None:
    if created or instance.status not in Run.TERMINAL:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    from modelbuilder.sweeps.models import SweepTrial

    sweep_ids = (
        SweepTrial.objects.filter(run_id=instance.pk)
        .exclude(status__in=SweepTrial.TERMINAL)
        .values_list("sweep_id", flat=True)
    )
    for sweep_id in set(sweep_ids):
        transaction.on_commit(partial(_queue_advance, sweep_id))


def _prune_check(run_id: int, epoch: int, logs: dict) -> None:
    from modelbuilder.sweeps.pruning import sweep_prune_check

    try:
        sweep_prune_check(run_id=run_id, epoch=epoch, logs=logs)
    except Exception:  # pruning is an optimisation: it must never fail the training it watches
        logger.exception("Pruning check of run %s at epoch %s failed", run_id, epoch)


@receiver(post_save, sender=EpochMetric, dispatch_uid="sweeps.epoch_stored")
def epoch_stored(sender, instance: EpochMetric, **kwargs) -> None:
    transaction.on_commit(partial(_prune_check, instance.run_id, instance.epoch, instance.logs))
