"""A training run (the exact graph, data and config it trained with) and its epoch metrics."""

from django.conf import settings
from django.db import models


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"
        PAUSED = "paused"  # stopped at a checkpoint by the user; POST .../resume queues it again

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs"
    )
    # Design and dataset may be deleted later; the run keeps their names and the pinned graph.
    design = models.ForeignKey(
        "designs.Design", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    design_version = models.PositiveIntegerField(default=1)
    design_name = models.CharField(max_length=200)
    dataset = models.ForeignKey(
        "datasets.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    dataset_name = models.CharField(max_length=200)
    graph = models.JSONField()
    target = models.CharField(max_length=200, blank=True)
    features = models.JSONField(default=list)
    config = models.JSONField(default=dict)
    # How the target is encoded: "onehot", "ids", "binary" or "none"; labels in encoding order.
    encoding = models.CharField(max_length=16, default="none")
    labels = models.JSONField(default=list, blank=True)
    # Standardisation mean/std per feature (from the training split) when config.standardize.
    preprocessing = models.JSONField(default=dict, blank=True)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    device = models.CharField(max_length=16, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    wall_time = models.FloatField(null=True, blank=True)
    final_metrics = models.JSONField(default=dict, blank=True)
    # A few inputs and the worker's predictions for them, to check a downloaded model against.
    sample_predictions = models.JSONField(default=dict, blank=True)
    artifact = models.FileField(upload_to="models/%Y/%m/", max_length=500, blank=True)
    # Resilience (training/resilience/): the worker holding the run renews heartbeat_at under its
    # lease; the reaper re-queues a run whose heartbeat is stale (attempts counts those restarts).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    pause_requested = models.BooleanField(default=False)
    resumed_from_epoch = models.PositiveIntegerField(null=True, blank=True)
    resume_reason = models.CharField(max_length=32, blank=True)  # "worker_lost" | "paused"
    # When its current task was sent to the broker (created, re-queued after a lost worker, resumed):
    # the broker delivers in that order, so the queue position counts from it (resilience/queue_info.py).
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.design_name}, {self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class EpochMetric(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="epochs")
    epoch = models.PositiveIntegerField(help_text="1-based")
    logs = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["epoch"]
        constraints = [models.UniqueConstraint(fields=["run", "epoch"], name="epoch_metric_unique")]
