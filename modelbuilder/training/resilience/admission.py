"""Admission, checked before a run is created (`run_admit`): the per-user concurrency limit (locked on the
owner's row) and the training-memory estimate against the device's memory."""

from __future__ import annotations

import math
import os

from django.conf import settings
from django.db import connection

from modelbuilder.core.errors import ApplicationError
from modelbuilder.training.models import Run
from modelbuilder.training.resilience.config import _setting

ACTIVE = (Run.Status.QUEUED, Run.Status.RUNNING)


def max_concurrent_runs() -> int:
    return _setting("MODELBUILDER_MAX_CONCURRENT_RUNS", 20)


def _owner_lock(owner) -> None:
    """Hold the owner's row until the caller's transaction ends: two requests of one user that
    queue a run count one after the other (else both could count below the limit, then both
    create). PostgreSQL: SELECT ... FOR NO KEY UPDATE (the runs' inserts, which only take a key-share
    lock on the user row, are not blocked). SQLite ignores the clause, but its transactions start
    with BEGIN IMMEDIATE (settings), which already serialises writers."""
    from django.contrib.auth import get_user_model

    if not connection.in_atomic_block:
        raise RuntimeError("concurrency_check must run inside the transaction that queues the run")
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk=owner.pk).values("pk"))


def concurrency_check(*, owner) -> None:
    """At most MODELBUILDER_MAX_CONCURRENT_RUNS queued or running runs per user (0: no limit).
    Call it inside the `transaction.atomic()` that creates or re-queues the run (it locks)."""
    limit = max_concurrent_runs()
    if limit <= 0:
        return
    _owner_lock(owner)
    active = Run.objects.filter(owner=owner, status__in=ACTIVE).count()
    if active >= limit:
        raise ApplicationError(
            f"You already have {active} run(s) queued or running; the limit is {limit} at a time. "
            "Wait for one to finish, or cancel or pause one, then start this run.",
            code="too_many_runs",
            status=429,
            details={"active": active, "limit": limit},
        )


# optimizer state arrays per trainable weight (Keras' slots)
OPTIMIZER_SLOTS = {"sgd": 1, "adam": 2, "adamw": 2, "nadam": 2, "adamax": 2, "rmsprop": 1,
                   "adagrad": 1, "adadelta": 2}  # fmt: skip
FLOAT_BYTES = 4
VALIDATE_BATCH = 32  # engine.graph.validate's memory_bytes counts activations for a batch of 32


def memory_estimate(*, validation: dict, optimizer: str, batch_size: int) -> dict:
    """Training memory in bytes from engine.graph.validate's figures: weights, their gradients, the
    optimizer's slots, and every layer's output for one batch, twice (forward values + gradients)."""
    total = int(validation.get("total_params") or 0)
    trainable = int(validation.get("trainable_params") or 0)
    floats = int(validation.get("memory_bytes") or 0) // FLOAT_BYTES
    activations_32 = max(0, floats - total - 2 * trainable)  # what validate counted for 32 samples
    parts = {
        "weights": FLOAT_BYTES * total,
        "gradients": FLOAT_BYTES * trainable,
        "optimizer": FLOAT_BYTES * trainable * OPTIMIZER_SLOTS.get(optimizer, 2),
        "activations": 2 * FLOAT_BYTES * math.ceil(activations_32 * batch_size / VALIDATE_BATCH),
    }
    return {**parts, "total": sum(parts.values())}


def device_memory_bytes(device: str) -> int | None:
    """What one worker of `device` may use: settings.MODELBUILDER_DEVICE_MEMORY_BYTES[device], else
    this machine's RAM (cpu/auto) or the visible GPU's memory (gpu; None when none is visible)."""
    configured = getattr(settings, "MODELBUILDER_DEVICE_MEMORY_BYTES", None) or {}
    if configured.get(device):
        return int(configured[device])
    if device == "gpu":
        try:
            import cupy

            return int(cupy.cuda.Device(0).mem_info[1])
        except Exception:
            return None
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gib(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.2f} GiB"
    return f"{n / 1024**2:.1f} MiB" if n >= 1024**2 else f"{n / 1024:.1f} KiB"


def memory_check(*, validation: dict, config) -> dict:
    """Refuse (400 `insufficient_memory`) a run whose estimate exceeds its device's memory."""
    device = "gpu" if config.device == "gpu" else "cpu"
    estimate = memory_estimate(
        validation=validation, optimizer=config.optimizer, batch_size=config.batch_size
    )
    limit = device_memory_bytes(device)
    if limit is not None and estimate["total"] > limit:
        parts = ", ".join(
            f"{k} {_gib(estimate[k])}" for k in ("weights", "gradients", "optimizer", "activations")
        )
        raise ApplicationError(
            f"This run needs about {_gib(estimate['total'])} of memory ({parts}; activations for a "
            f"batch of {config.batch_size}), but a {device} worker has {_gib(limit)}. Use a smaller "
            "batch size or a smaller model.",
            code="insufficient_memory",
            details={"estimate_bytes": estimate, "limit_bytes": limit, "device": device},
        )
    return estimate


def run_admit(*, owner, validation: dict, config) -> None:
    """Everything checked before a run is created: the user's concurrency limit, then memory.
    Inside the transaction that creates the run (the limit's lock lasts until its commit)."""
    concurrency_check(owner=owner)
    memory_check(validation=validation, config=config)
