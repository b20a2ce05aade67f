"""A hyper-parameter sweep over one design and dataset, and its trials (each one a training Run)."""

from django.conf import settings
from django.db import models


class Sweep(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Strategy(models.TextChoices):
        GRID = "grid"
        RANDOM = "random"
        BAYESIAN = "bayesian"

    class Pruning(models.TextChoices):
        MEDIAN = "median"  # engine.tuning.MedianPruner on the stored epochs (sweeps/pruning.py)
        NONE = "none"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sweeps"
    )
    name = models.CharField(max_length=200, blank=True)
    # Like runs: design and dataset may be deleted later; the sweep keeps names and the pinned graph.
    design = models.ForeignKey(
        "designs.Design", null=True, blank=True, on_delete=models.SET_NULL, related_name="sweeps"
    )
    design_version = models.PositiveIntegerField(default=1)
    design_name = models.CharField(max_length=200)
    graph = models.JSONField(help_text="The design's graph when the sweep started (pinned).")
    dataset = models.ForeignKey(
        "datasets.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="sweeps"
    )
    dataset_name = models.CharField(max_length=200)
    target = models.CharField(max_length=200, blank=True, null=True)
    features = models.JSONField(default=None, null=True, blank=True)
    base_config = models.JSONField(default=dict)
    space = models.JSONField(help_text='e.g. {"units@d1": {"type": "int", "min": 8, "max": 64}}')
    strategy = models.CharField(max_length=16, choices=Strategy.choices)
    max_trials = models.PositiveIntegerField()
    parallelism = models.PositiveIntegerField(default=1)
    objective = models.CharField(max_length=64, default="val_loss")
    direction = models.CharField(max_length=3, default="min")  # "min" | "max"
    seed = models.BigIntegerField(default=0)
    pruning = models.CharField(max_length=8, choices=Pruning.choices, default=Pruning.MEDIAN)
    # A trial is never pruned at an epoch <= warmup, nor before `startup` trials have succeeded.
    pruning_warmup_epochs = models.PositiveIntegerField(default=1)
    pruning_startup_trials = models.PositiveIntegerField(default=3)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    error = models.TextField(blank=True)
    best_trial = models.ForeignKey(
        "SweepTrial", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"sweep {self.pk} ({self.design_name}, {self.strategy}, {self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class SweepTrial(models.Model):
    """One point of the search space, trained as its own Run (null when the run could not start)."""

    # "pruned": stopped early by the median rule (its run ended cancelled); objective = best epoch.
    TERMINAL = ("succeeded", "failed", "cancelled", "pruned")

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="trials")
    number = models.PositiveIntegerField(help_text="1-based, in the order the oracle proposed them")
    run = models.ForeignKey(
        "training.Run",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sweep_trials",
    )
    params = models.JSONField()
    # How many finished trials the oracle knew when it proposed this one (Bayesian learns from them).
    based_on = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, default="queued")
    objective = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Set once, when the median rule stops the trial (its run is asked to stop like a cancel).
    pruned_epoch = models.PositiveIntegerField(null=True, blank=True)
    prune_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["sweep", "number"], name="sweep_trial_unique")
        ]

    def __str__(self) -> str:
        return f"trial {self.number} of sweep {self.sweep_id} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL
