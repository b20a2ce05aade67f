"""Reads for runs: only the owner's (staff use the admin). The snapshot serves API and websocket."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from modelbuilder.core.errors import ApplicationError
from modelbuilder.training.models import EpochMetric, Run


def run_list(*, user: AbstractBaseUser) -> QuerySet[Run]:
    return Run.objects.filter(owner=user).prefetch_related("sweep_trials__sweep")


def run_get(*, user: AbstractBaseUser, run_id: int) -> Run:
    run = run_list(user=user).filter(pk=run_id).first() if 0 < run_id < 2**63 else None
    if run is None:
        raise ApplicationError("Run not found.", code="not_found", status=404)
    return run


def run_visible(*, user: AbstractBaseUser, run_id: int) -> bool:
    """Websocket access: the owner, or staff."""
    if not user or not user.is_authenticated or not 0 < run_id < 2**63:
        return False
    runs = Run.objects.filter(pk=run_id)
    return runs.exists() if user.is_staff else runs.filter(owner=user).exists()


def run_epochs(*, run_id: int) -> list[dict]:
    rows = EpochMetric.objects.filter(run_id=run_id).order_by("epoch").values("epoch", "logs")
    return [{"epoch": r["epoch"], "logs": r["logs"]} for r in rows]


def run_to_dict(run: Run, *, epochs: bool = True) -> dict:
    data = {
        "id": run.pk,
        "status": run.status,
        "design": run.design_id,
        "design_name": run.design_name,
        "design_version": run.design_version,
        "dataset": run.dataset_id,
        "dataset_name": run.dataset_name,
        "target": run.target,
        "features": run.features,
        "config": run.config,
        "encoding": run.encoding,
        "labels": run.labels,
        "device": run.device or None,
        "error": run.error or None,
        "cancel_requested": run.cancel_requested,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "wall_time": run.wall_time,
        "final_metrics": run.final_metrics or None,
        "model_url": f"/api/runs/{run.pk}/model.h5" if run.artifact else None,
        "pause_requested": run.pause_requested,
        "attempts": run.attempts,
        "resumed_from_epoch": run.resumed_from_epoch,
        "resume_reason": run.resume_reason or None,
        "trial": run_trial(run),
    }
    if epochs:
        data["epochs"] = run_epochs(run_id=run.pk)
    return data


def run_trial(run: Run) -> dict | None:
    """The sweep trial this run trained, if any (through the reverse relation, so training does not
    import the sweeps app): a pruned trial's run ended `cancelled`, and its page says why."""
    trial = next(iter(run.sweep_trials.all()), None)
    if trial is None:
        return None
    return {
        "sweep": trial.sweep_id,
        "sweep_name": trial.sweep.name,
        "number": trial.number,
        "status": trial.status,
        "pruned_epoch": trial.pruned_epoch,
        "prune_reason": trial.prune_reason or None,
    }


def run_snapshot(*, run_id: int) -> dict:
    """The websocket's first message: the run and every stored epoch."""
    run = Run.objects.get(pk=run_id)
    data = run_to_dict(run)
    epoch_list = data.pop("epochs")
    for key in ("created_at", "started_at", "finished_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return {"type": "snapshot", "run": data, "epochs": epoch_list}


def run_artifact(*, user: AbstractBaseUser, run_id: int) -> Run:
    run = run_get(user=user, run_id=run_id)
    if run.status != Run.Status.SUCCEEDED or not run.artifact:
        raise ApplicationError(
            "The model file exists once the run has succeeded.", code="not_found", status=404
        )
    return run
