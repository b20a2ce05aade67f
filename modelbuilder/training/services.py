"""Writes for training runs: create (check everything, pin the graph, queue after commit), cancel,
and the status transitions the worker makes. `run_execute` (the training itself) is in execution.py.
"""

import uuid
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from modelbuilder.core.db_retry import with_db_retry
from modelbuilder.core.errors import ApplicationError
from modelbuilder.datasets.models import Dataset
from modelbuilder.datasets.selectors import dataset_get
from modelbuilder.designs.selectors import design_get
from modelbuilder.designs.validation import graph_validate
from modelbuilder.training import events, resilience
from modelbuilder.training.data import DataPlan, plan_build
from modelbuilder.training.models import Run
from modelbuilder.training.schemas import RunConfig, config_parse


def _graph_io(graph: dict, validation: dict, plan: DataPlan) -> None:
    """The design's single Input must match the features, its single output the encoded target."""
    nodes = graph.get("nodes", [])
    inputs = [n for n in nodes if n.get("layer") == "Input"]
    sources = {e.get("source") for e in graph.get("edges", [])}
    outputs = [n for n in nodes if n.get("id") not in sources]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ApplicationError(
            f"Training needs a design with one Input and one output; this one has {len(inputs)} "
            f"Input(s) and {len(outputs)} output(s).",
            code="design_mismatch",
        )
    shape = list(inputs[0].get("params", {}).get("shape") or [])
    if shape != plan.input_shape:
        raise ApplicationError(
            f"The Input {inputs[0]['id']!r} has shape {shape}, but the dataset gives "
            f"{plan.input_shape} per sample ({len(plan.features)} feature column(s)"
            + (", categorical ones one-hot encoded" if plan.feature_labels else "")
            + ").",
            code="design_mismatch",
            details={"node": inputs[0]["id"], "expected": plan.input_shape},
        )
    out_shape = (validation.get("shapes") or {}).get(outputs[0]["id"])
    width = out_shape[-1] if isinstance(out_shape, list) and out_shape else None
    if width != plan.output_width or len(out_shape) != 2:
        target = {
            "onehot": f"one-hot over its {len(plan.labels)} classes",
            "ids": f"class ids for {len(plan.labels)} classes",
            "binary": "one 0/1 value",
            "none": "its values",
        }[plan.encoding]
        raise ApplicationError(
            f"The output {outputs[0]['id']!r} gives shape {out_shape}, but the target "
            f"{plan.target!r} needs (None, {plan.output_width}) ({target}).",
            code="design_mismatch",
            details={"node": outputs[0]["id"], "expected": plan.output_width},
        )


def _engine_knows(config: RunConfig) -> None:
    import engine.losses
    import engine.metrics
    import engine.optimizers

    checks = [("loss", config.loss, engine.losses.get)] + [
        ("metrics", m, engine.metrics.get) for m in config.metrics
    ]
    checks.append(
        (
            "optimizer",
            config.optimizer,
            lambda name: engine.optimizers.get(
                {"class_name": name, "config": {"learning_rate": config.learning_rate}}
            ),
        )
    )
    for field, value, get in checks:
        try:
            get(value)
        except (ValueError, KeyError, TypeError) as exc:
            raise ApplicationError(f"config.{field}: {exc}", code="invalid_config") from None


def _enqueue(run_id: int, queue: str, task_id: str) -> None:
    from modelbuilder.training.tasks import train

    try:
        train.apply_async(args=[run_id], queue=queue, task_id=task_id)
    except Exception as exc:  # the broker is unreachable: say so instead of queued forever
        run_fail_stale(run_id=run_id, message=f"The run could not be queued: {exc}")


def run_create(
    *,
    owner: AbstractBaseUser,
    design_id: int,
    dataset_id: int,
    config: dict,
    target: str | None = None,
    features: list[str] | None = None,
) -> Run:
    """Check design, dataset, target, loss and config; create a run; queue it on commit."""
    cfg = config_parse(config)
    design = design_get(user=owner, design_id=design_id)
    dataset = dataset_get(user=owner, dataset_id=dataset_id)
    if dataset.status != Dataset.Status.READY:
        raise ApplicationError(
            f"The dataset {dataset.name!r} is not ready: {dataset.error}", code="dataset_not_ready"
        )
    validation = graph_validate(design.graph)
    if not validation.get("ok"):
        raise ApplicationError(
            f"The design {design.name!r} has errors; fix them before training.",
            code="invalid_design",
            details={"errors": validation.get("errors", [])},
        )
    plan = plan_build(schema=dataset.schema, target=target, features=features, loss=cfg.loss)
    _graph_io(design.graph, validation, plan)
    _engine_knows(cfg)
    with transaction.atomic():
        # limit + memory; the limit locks the owner's row until the commit: no two creates race
        resilience.run_admit(owner=owner, validation=validation, config=cfg)
        run = Run.objects.create(
            owner=owner,
            design=design,
            design_version=design.version,
            design_name=design.name,
            dataset=dataset,
            dataset_name=dataset.name,
            graph=design.graph,
            target=plan.target,
            features=plan.features,
            config=cfg.model_dump(),
            encoding=plan.encoding,
            labels=plan.labels,
            preprocessing={"plan": plan.as_dict()},
            task_id=str(uuid.uuid4()),
            queued_at=timezone.now(),
        )
        queue = "gpu" if cfg.device == "gpu" else "cpu"
        transaction.on_commit(partial(_enqueue, run.id, queue, run.task_id))
    run.refresh_from_db(fields=["status", "error"])  # queueing may have failed at commit
    return run


def run_cancel(*, run: Run) -> Run:
    """Queued: cancelled at once. Running: ask the worker (read every batch). Ended: no-op."""
    # The conditional update is the claim: the worker's run_start cannot take it any more.
    if Run.objects.filter(pk=run.pk, status__in=(Run.Status.QUEUED, Run.Status.PAUSED)).update(
        status=Run.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    ):
        run.refresh_from_db()
        _revoke(run.task_id)
        return run_finish(run=run, status=Run.Status.CANCELLED)  # saved + broadcast like any end
    Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def _revoke(task_id: str) -> None:
    # The worker also skips a run that is no longer queued; the revoke only saves it the trip.
    try:
        from modelbuilder.celery import app

        app.control.revoke(task_id)
    except Exception:  # the broker being down must not fail a cancel
        pass


def run_start(*, run_id: int, device: str) -> Run | None:
    """Claim a queued run for this worker. None when it was cancelled (or taken) meanwhile."""
    token = uuid.uuid4().hex  # the claim's own lease (attempt_begin replaces it)

    def claim() -> bool:
        if Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(
            status=Run.Status.RUNNING, started_at=timezone.now(), device=device, lease=token
        ):
            return True
        # a retry whose first try committed but lost its answer: the claim is ours all the same
        return Run.objects.filter(pk=run_id, status=Run.Status.RUNNING, lease=token).exists()

    claimed = with_db_retry(claim, what=f"run {run_id}: claim")
    if not claimed:
        return None
    run = with_db_retry(lambda: Run.objects.get(pk=run_id), what=f"run {run_id}: load")
    events.run_event_send(run_id=run.pk, event=events.status_event(run))
    return run


def run_finish(
    *,
    run: Run,
    status: str,
    error: str = "",
    final_metrics: dict | None = None,
    wall_time: float | None = None,
) -> Run:
    """End a run (the one place a run leaves `running`), then broadcast its final status."""
    run.status, run.error = status, error[:5000]
    run.final_metrics = final_metrics or {}
    run.wall_time, run.finished_at = wall_time, timezone.now()
    fields = ["status", "error", "final_metrics", "wall_time", "finished_at", "artifact",
              "sample_predictions", "preprocessing"]  # fmt: skip
    # The worker's last write: retried across a lost connection (the same values each time).
    with_db_retry(lambda: run.save(update_fields=fields), what=f"run {run.pk}: end {status}")
    events.run_event_send(run_id=run.pk, event=events.status_event(run))
    return run


def run_fail_stale(*, run_id: int, message: str) -> None:
    """Mark a run that is still queued or running as failed (used when the task itself dies)."""
    run = with_db_retry(Run.objects.filter(pk=run_id).first, what=f"run {run_id}: load")
    if run is not None and not run.is_terminal:
        run_finish(run=run, status=Run.Status.FAILED, error=message)
