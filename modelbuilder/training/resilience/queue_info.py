"""Which queue a run goes to, and where a queued run stands on it: position and a rough ETA."""

from __future__ import annotations

from modelbuilder.training.models import Run


def _queue_of(run: Run) -> str:
    return "gpu" if run.config.get("device") == "gpu" else "cpu"


def _on_queue(queue: str):
    runs = Run.objects.all()
    return (
        runs.filter(config__device="gpu") if queue == "gpu" else runs.exclude(config__device="gpu")
    )


def run_queue_info(*, run: Run) -> dict:
    """Where a queued run stands: its 1-based position among the queued runs of its queue, in the
    order the broker delivers them: by `queued_at`, the time its current task was sent (Redis:
    LPUSH, workers BRPOP, first in first out). A run re-queued after a lost worker, or resumed, was
    sent a new task then, so it waits behind the runs queued before that; it does not keep its old
    place (a FIFO list cannot put it in front; docs/resilience.md). And a rough ETA: (epochs left on the running
    runs + epochs of the runs ahead) x the median seconds per epoch of the queue's last 20
    succeeded runs / the runs running now (as many workers are busy). `eta_seconds` is null
    without history or when the run is not queued."""
    queue = _queue_of(run)
    info = {"status": run.status, "queue": queue, "position": None, "ahead": 0, "running": 0,
            "eta_seconds": None}  # fmt: skip
    if run.status != Run.Status.QUEUED:
        return info
    on_queue = _on_queue(queue)
    ahead = list(
        on_queue.filter(status=Run.Status.QUEUED)
        .alias(sent_at=models_sent_at())
        .filter(models_q_before(run))
        .values_list("config", flat=True)
    )
    running = list(on_queue.filter(status=Run.Status.RUNNING).values_list("pk", "config"))
    info.update(position=len(ahead) + 1, ahead=len(ahead), running=len(running))
    recent = on_queue.filter(status=Run.Status.SUCCEEDED, wall_time__isnull=False).order_by(
        "-finished_at"
    )[:20]
    per_epoch = sorted(r.wall_time / max(1, int(r.config.get("epochs") or 1)) for r in recent)
    if not per_epoch:
        return info
    seconds = per_epoch[len(per_epoch) // 2]
    done = dict(
        Run.objects.filter(pk__in=[pk for pk, _ in running])
        .values("pk")
        .annotate(n=models_count("epochs"))
        .values_list("pk", "n")
    )
    left = sum(max(0, int(cfg.get("epochs") or 1) - done.get(pk, 0)) for pk, cfg in running)
    left += sum(int(cfg.get("epochs") or 1) for cfg in ahead)
    info["eta_seconds"] = round(left * seconds / max(1, len(running)), 1)
    return info


def models_q_before(run: Run):
    """Runs whose task the broker delivers before `run`'s (queued earlier; ties by id)."""
    from django.db.models import Q

    at = run.queued_at or run.created_at
    return Q(sent_at__lt=at) | Q(sent_at=at, pk__lt=run.pk)


def models_sent_at():
    """queued_at; created_at for a row written without it."""
    from django.db.models.functions import Coalesce

    return Coalesce("queued_at", "created_at")


def models_count(field: str):
    from django.db.models import Count

    return Count(field)
