"""Reads for sweeps: only the owner's (staff use the admin). The snapshot serves API and websocket."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from modelbuilder.core.errors import ApplicationError
from modelbuilder.sweeps.models import Sweep, SweepTrial


def sweep_list(*, user: AbstractBaseUser) -> QuerySet[Sweep]:
    return Sweep.objects.filter(owner=user)


def sweep_get(*, user: AbstractBaseUser, sweep_id: int) -> Sweep:
    sweep = sweep_list(user=user).filter(pk=sweep_id).first() if 0 < sweep_id < 2**63 else None
    if sweep is None:
        raise ApplicationError("Sweep not found.", code="not_found", status=404)
    return sweep


def sweep_visible(*, user: AbstractBaseUser, sweep_id: int) -> bool:
    """Websocket access: the owner, or staff."""
    if not user or not user.is_authenticated or not 0 < sweep_id < 2**63:
        return False
    sweeps = Sweep.objects.filter(pk=sweep_id)
    return sweeps.exists() if user.is_staff else sweeps.filter(owner=user).exists()


def _iso(value):
    return value.isoformat() if value else None


def trial_to_dict(trial: SweepTrial) -> dict:
    run = trial.run
    status = trial.status
    if run is not None and not trial.is_terminal:
        status = run.status  # queued → running is the run's own news
    return {
        "number": trial.number,
        "run": trial.run_id,
        "params": trial.params,
        "based_on": trial.based_on,
        "status": status,
        "objective": trial.objective,
        "error": trial.error or (run.error if run is not None else "") or None,
        "pruned_epoch": trial.pruned_epoch,
        "prune_reason": trial.prune_reason or None,
        "final_metrics": (run.final_metrics or None) if run is not None else None,
        "model_url": f"/api/runs/{run.pk}/model.h5" if run is not None and run.artifact else None,
        "created_at": _iso(trial.created_at),
        "finished_at": _iso(trial.finished_at),
    }


def sweep_trials(*, sweep: Sweep) -> list[dict]:
    return [trial_to_dict(t) for t in sweep.trials.select_related("run").order_by("number")]


def sweep_to_dict(sweep: Sweep, *, trials: bool = True) -> dict:
    best = sweep.best_trial
    data = {
        "id": sweep.pk,
        "name": sweep.name,
        "status": sweep.status,
        "error": sweep.error or None,
        "design": sweep.design_id,
        "design_name": sweep.design_name,
        "design_version": sweep.design_version,
        "dataset": sweep.dataset_id,
        "dataset_name": sweep.dataset_name,
        "target": sweep.target,
        "features": sweep.features,
        "config": sweep.base_config,
        "space": sweep.space,
        "strategy": sweep.strategy,
        "max_trials": sweep.max_trials,
        "parallelism": sweep.parallelism,
        "objective": sweep.objective,
        "direction": sweep.direction,
        "seed": sweep.seed,
        "pruning": sweep.pruning,
        "pruning_warmup_epochs": sweep.pruning_warmup_epochs,
        "pruning_startup_trials": sweep.pruning_startup_trials,
        "best_trial": best.number if best else None,
        "best_objective": best.objective if best else None,
        "best_params": best.params if best else None,
        "applied_version": sweep.applied_version,
        "trial_count": sweep.trials.count(),
        "created_at": _iso(sweep.created_at),
        "finished_at": _iso(sweep.finished_at),
    }
    if trials:
        data["trials"] = sweep_trials(sweep=sweep)
    return data


def sweep_snapshot(*, sweep_id: int) -> dict:
    """The websocket's first message: the sweep and every trial so far."""
    sweep = Sweep.objects.select_related("best_trial").get(pk=sweep_id)
    data = sweep_to_dict(sweep)
    return {"type": "snapshot", "sweep": data, "trials": data.pop("trials")}


def status_event(sweep: Sweep) -> dict:
    best = sweep.best_trial
    return {
        "type": "status",
        "status": sweep.status,
        "error": sweep.error or None,
        "best_trial": best.number if best else None,
        "best_objective": best.objective if best else None,
        "best_params": best.params if best else None,
        "applied_version": sweep.applied_version,
        "finished_at": _iso(sweep.finished_at),
    }
