"""`run_execute`: train one run in the worker.

Load the dataset, encode it by the run's plan, split it with the run's seed, optionally standardise,
build the pinned graph with the engine, fit with `RunCallback` (per epoch: store an EpochMetric row,
then broadcast it; throttled batch progress and cancel checks), save the .h5 on success.
Any exception ends the run `failed` with a message a person can read.
"""

import contextlib
import logging
import math
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from modelbuilder.core.db_retry import with_db_retry
from modelbuilder.core.files import local_copy, save_artifact
from modelbuilder.datasets import parsing
from modelbuilder.training import cpu_share, events, resilience
from modelbuilder.training.data import DataPlan, arrays_build, numeric_feature_mask
from modelbuilder.training.models import EpochMetric, Run
from modelbuilder.training.saved_model import model_with_standardization
from modelbuilder.training.services import run_finish, run_start

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.2  # at most 5 progress events per second
CHECK_ROWS = 8


class LossNotFinite(Exception):
    pass


def _engine_callback_base():
    from engine.callbacks import Callback

    return Callback


def _make_callback(run_id: int):
    class RunCallback(_engine_callback_base()):
        """Stores then broadcasts epochs, sends throttled progress, stops on cancel."""

        def __init__(self):
            super().__init__()
            self.run_id = run_id
            self.epoch = 0
            self.cancelled = False
            self.last_progress = 0.0
            self.last_logs: dict = {}

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch + 1

        def on_train_batch_end(self, batch, logs=None):
            loss = (logs or {}).get("loss")
            if loss is not None and not math.isfinite(float(loss)):
                raise LossNotFinite(
                    f"The loss became {float(loss)} at epoch {self.epoch}, batch {batch + 1}. "
                    "The learning rate is probably too high, or the data has extreme values: "
                    "try a lower learning rate or standardise the features."
                )
            now = time.monotonic()
            if now - self.last_progress >= PROGRESS_INTERVAL_S:
                self.last_progress = now
                # Throttled with the progress: a query per batch (0.4 ms SQLite, 0.7 ms PostgreSQL) made a
                # small tabular model (20-64-64-1, batch 32) train 1.5-1.8x slower; a cancel now waits <= 0.2 s.
                self._poll_cancel()
                steps = (self.params or {}).get("steps")
                events.run_event_send(
                    run_id=self.run_id,
                    event={
                        "type": "progress",
                        "epoch": self.epoch,
                        "batch": batch + 1,
                        "batches": steps,
                        "epochs": (self.params or {}).get("epochs"),
                        "loss": _num(loss),
                    },
                )

        def on_epoch_end(self, epoch, logs=None):
            clean = {k: _num(v) for k, v in (logs or {}).items()}
            self.last_logs = clean
            # Stored first, then broadcast: a client that misses the event finds it in the snapshot.
            # Retried across a lost connection; unique (run, epoch) keeps a retried write single.
            with_db_retry(
                lambda: EpochMetric.objects.update_or_create(
                    run_id=self.run_id, epoch=epoch + 1, defaults={"logs": clean}
                ),
                what=f"run {self.run_id}: store epoch {epoch + 1}",
            )
            events.run_event_send(
                run_id=self.run_id, event={"type": "epoch", "epoch": epoch + 1, "logs": clean}
            )
            # Storing the epoch may have asked the run to stop (a sweep pruning a hopeless trial, in the
            # EpochMetric signal): read the flag now, before another epoch starts.
            self._poll_cancel()

        def _poll_cancel(self):
            cancel = Run.objects.filter(pk=self.run_id, cancel_requested=True)
            if with_db_retry(cancel.exists, what=f"run {self.run_id}: cancel check"):
                self.cancelled = True
                self.model.stop_training = True

    return RunCallback()


def _num(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _split(x, y, fraction: float, seed: int | None):
    if fraction <= 0:
        return x, y, None
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(len(x) * fraction)))
    if n_val >= len(x):
        raise ValueError(f"validation_split={fraction} leaves no training rows out of {len(x)}.")
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], (x[val], y[val])


def _standardize(x, validation, mask):
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std == 0] = 1.0
    mean[~mask], std[~mask] = 0.0, 1.0
    scale = lambda a: ((a - mean) / std).astype(np.float32)  # noqa: E731
    validation = (scale(validation[0]), validation[1]) if validation else None
    return scale(x), validation, {"mean": mean.ravel().tolist(), "std": std.ravel().tolist()}


def _prepare(run: Run):
    plan = DataPlan(**run.preprocessing["plan"])
    if run.dataset is None:
        raise ValueError("The dataset was deleted before training started.")
    with local_copy(run.dataset.file) as path:  # streamed from the storage when it is remote
        table, _ = parsing.read(path, run.dataset.format)
    x, y = arrays_build(table, plan, run.dataset.format)
    cfg = run.config
    x_train, y_train, validation = _split(x, y, cfg["validation_split"], cfg.get("seed"))
    if validation is None and table.x_test is not None:
        validation = arrays_build(parsing.Table(x=table.x_test, y=table.y_test), plan, "npz")
    raw_check = x_train[:CHECK_ROWS].copy()  # the saved model takes raw rows (see _save)
    if cfg.get("standardize"):
        mask = (
            numeric_feature_mask(plan)
            if run.dataset.format == "csv"
            else np.ones(x.shape[1:], dtype=bool)
        )
        x_train, validation, stats = _standardize(x_train, validation, mask)
        run.preprocessing = {**run.preprocessing, "standardize": stats}
    return x_train, y_train, validation, raw_check


def _optimizer(cfg: dict):
    import engine.optimizers

    return engine.optimizers.get(
        {"class_name": cfg["optimizer"], "config": {"learning_rate": cfg["learning_rate"]}}
    )


def _build(run: Run):
    from engine.models import Model

    try:
        from engine.utils import set_seed
    except ImportError:  # older engines kept it in the backend only
        from engine.backend import set_seed

    cfg = run.config
    if cfg.get("seed") is not None:
        set_seed(int(cfg["seed"]))
    model = Model.from_graph(run.graph)
    model.compile(optimizer=_optimizer(cfg), loss=cfg["loss"], metrics=list(cfg.get("metrics") or []))
    return model


def _save(run: Run, model, x_check, raw_check) -> None:
    """Save the .h5 a user downloads. It takes raw features: when the run standardised its inputs,
    a Normalization layer with the training split's statistics goes in front of the trained graph
    (saved_model.py). `sample_predictions` pairs raw rows with what the trained model predicted for
    them, so a loaded download can be checked against it."""
    stats = (run.preprocessing or {}).get("standardize")
    saved = model
    if stats:
        saved = model_with_standardization(model, mean=stats["mean"], std=stats["std"])
        saved.compile(optimizer=_optimizer(run.config), loss=run.config["loss"],
                      metrics=list(run.config.get("metrics") or []))
        run.preprocessing = {**run.preprocessing, "standardize": {**stats, "in_model": True}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.h5"
        saved.save(str(path))
        # A random name, never guessed; downloads are named by the API. Through the storage API.
        save_artifact(run.artifact, path, f"{uuid.uuid4().hex}.h5")
    predictions = np.asarray(model.predict(x_check, verbose=0))
    run.sample_predictions = {"x": raw_check.tolist(), "y": predictions.tolist()}


def readable_error(exc: BaseException) -> str:
    name = type(exc).__name__
    if isinstance(exc, LossNotFinite):
        return str(exc)
    if isinstance(exc, MemoryError) or "OutOfMemory" in name:
        return (
            "Out of memory: the model or a batch does not fit on the worker. "
            "Try a smaller batch size or a smaller model."
        )
    return f"{name}: {exc}" if str(exc) else name


def run_execute(*, run_id: int, task_id: str | None = None) -> Run | None:
    """Train run `run_id` to its end (succeeded, failed or cancelled); never leaves it `running`.
    `task_id`: the delivered task's id; a task the run no longer points at is dropped."""
    import engine.backend

    run = with_db_retry(
        Run.objects.filter(pk=run_id).select_related("dataset").first, what=f"run {run_id}: load"
    )
    if run is None:
        return None
    if task_id and run.task_id and task_id != run.task_id:
        # An older task of a run that was re-queued since (resumed, or re-queued by the reaper; the
        # broker may still hold or redeliver it): the run's own task comes in its turn.
        logger.info("run %s: task %s is stale (the run's task is %s)", run_id, task_id, run.task_id)
        return None
    # redelivered: take over a run whose worker died (it resumes below); drop a duplicate delivery
    if run.status == Run.Status.RUNNING and not resilience.run_take_over(run=run):
        return None
    try:
        device = engine.backend.set_device(run.config.get("device", "auto"))
    except RuntimeError as exc:
        device, error = engine.backend.device_name(), str(exc)
    else:
        error = ""
    run = run_start(run_id=run_id, device=device)
    if run is None:
        return None
    run = resilience.attempt_begin(run=run)  # lease + heartbeats
    if error:
        return run_finish(run=run, status=Run.Status.FAILED, error=error)
    started = time.monotonic()
    callback = _make_callback(run.pk)
    try:
        x, y, validation, raw_check = _prepare(run)
        model = _build(run)
        session = resilience.training_session(run=run, model=model)  # resumes from its checkpoint
        cfg = run.config
        share = [cpu_share.cpu_share_callback()] if device == "cpu" else []  # the cores shared by the runs here
        with cpu_share.training_slot() if share else contextlib.nullcontext():
            model.fit(
                x,
                y,
                epochs=cfg["epochs"],
                batch_size=cfg["batch_size"],
                validation_data=validation,
                shuffle=True,
                verbose=0,
                callbacks=[*share, callback, *session.callbacks],
                initial_epoch=session.initial_epoch,
            )
        if callback.cancelled:
            return run_finish(
                run=run,
                status=Run.Status.CANCELLED,
                final_metrics=callback.last_logs,
                wall_time=time.monotonic() - started,
            )
        _save(run, model, x[:CHECK_ROWS], raw_check)
    except resilience.TrainingStopped as exc:  # paused, or taken over by another worker
        return resilience.run_stopped(run=run, exc=exc)
    except Exception as exc:
        logger.exception("Run %s failed", run_id)
        return run_finish(
            run=run,
            status=Run.Status.FAILED,
            error=readable_error(exc),
            final_metrics=callback.last_logs,
            wall_time=time.monotonic() - started,
        )
    return run_finish(
        run=run,
        status=Run.Status.SUCCEEDED,
        final_metrics=callback.last_logs,
        wall_time=time.monotonic() - started,
    )
