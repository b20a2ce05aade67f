"""Early stopping of hopeless trials: the median rule of `engine.tuning.MedianPruner`, applied to the
epochs the trials' runs stored.

`sweep_prune_check` runs in the training worker right after a trial's run stored an epoch (the
EpochMetric hook in signals.py). It asks the engine's pruner whether the trial's objective at that
epoch is worse than the median of the trials that succeeded (their stored curves up to that epoch,
same semantics as the library Tuner: pruned trials' curves are not compared against). A hopeless
trial is marked (`pruned_epoch`, `prune_reason`) and its run is asked to stop like a cancel does;
when the run ends, `services._sync_trials` records the trial as "pruned" with its best epoch so far.

Nothing lives in memory: the pruner is rebuilt from stored rows at every check, so worker restarts
change nothing, and the mark is a conditional update, so a repeated check is a no-op.
"""

import logging
import math
import statistics

from django.db import transaction

from modelbuilder.sweeps import events, selectors
from modelbuilder.sweeps.models import Sweep, SweepTrial
from modelbuilder.training.models import EpochMetric, Run
from modelbuilder.training.services import run_cancel

logger = logging.getLogger(__name__)
ACTIVE = ("queued", "running")


def _score(value, direction: str) -> float:
    """The pruner minimises; a missing (non-finite) value is the worst possible."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return math.inf
    return float(value) if direction == "min" else -float(value)


def _curves(*, sweep: Sweep, epoch: int, exclude_run: int) -> list[list[float]]:
    """Per succeeded trial of the sweep: its score per epoch, epochs 1..`epoch` (one query)."""
    rows = (
        EpochMetric.objects.filter(
            run__sweep_trials__sweep_id=sweep.pk,
            run__status=Run.Status.SUCCEEDED,
            epoch__lte=epoch,
        )
        .exclude(run_id=exclude_run)
        .order_by("run_id", "epoch")
        .values_list("run_id", "epoch", "logs")
    )
    curves: dict[int, list[float]] = {}
    for run_id, number, logs in rows:
        curve = curves.setdefault(run_id, [])
        if number == len(curve) + 1:  # contiguous from epoch 1, like a Tuner's curve
            curve.append(_score((logs or {}).get(sweep.objective), sweep.direction))
    return list(curves.values())


def _value_text(score: float, direction: str) -> str:
    value = score if direction == "min" else -score
    return f"{value:.4g}" if math.isfinite(value) else "not a number"


def sweep_prune_check(*, run_id: int, epoch: int, logs: dict | None) -> SweepTrial | None:
    """After `run_id` stored `epoch` (1-based) with `logs`: prune its trial if hopeless.

    Answers the trial when this call pruned it, else None. Plain runs cost one query; a sweep
    trial's epoch one more (the succeeded trials' stored epochs up to this one).
    """
    from engine.tuning import MedianPruner

    trial = (
        SweepTrial.objects.select_related("sweep", "run")
        .filter(
            run_id=run_id,
            status__in=ACTIVE,
            pruned_epoch__isnull=True,
            sweep__status=Sweep.Status.RUNNING,
            sweep__pruning=Sweep.Pruning.MEDIAN,
        )
        .first()
    )
    if trial is None or trial.run is None:
        return None
    sweep = trial.sweep
    # The last epoch: the trial is done anyway, stopping it would save nothing.
    if epoch >= int(trial.run.config.get("epochs") or 0) or epoch <= sweep.pruning_warmup_epochs:
        return None
    if sweep.objective not in (logs or {}):
        return None  # not this run's metric at all: sweep_advance reports it when the run ends
    score = _score(logs[sweep.objective], sweep.direction)
    pruner = MedianPruner(
        startup_trials=sweep.pruning_startup_trials, warmup_epochs=sweep.pruning_warmup_epochs
    )
    pruner.curves = _curves(sweep=sweep, epoch=epoch, exclude_run=run_id)
    if not pruner.should_prune(epoch - 1, score):  # the engine counts epochs from 0
        return None
    past = [c[epoch - 1] for c in pruner.curves if len(c) >= epoch]
    reason = (
        f"pruned at epoch {epoch}: {sweep.objective} {_value_text(score, sweep.direction)} worse "
        f"than the median {_value_text(statistics.median(past), sweep.direction)} "
        f"of {len(past)} trials"
    )
    with transaction.atomic():
        marked = SweepTrial.objects.filter(pk=trial.pk, pruned_epoch__isnull=True).update(
            pruned_epoch=epoch, prune_reason=reason
        )
        if not marked:
            return None  # another check got there first
        run_cancel(run=trial.run)  # running: stops after the current batch
    trial.pruned_epoch, trial.prune_reason = epoch, reason
    logger.info("sweep %s trial %s %s", sweep.pk, trial.number, reason)
    events.sweep_event_send(
        sweep_id=sweep.pk, event={"type": "trial", "trial": selectors.trial_to_dict(trial)}
    )
    return trial
