"""An uploaded (or built-in sample) dataset: the file on disk plus its validated schema."""

from django.conf import settings
from django.db import models


class Dataset(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        NPZ = "npz", "NPZ"

    class Status(models.TextChoices):
        READY = "ready", "ready"
        INVALID = "invalid", "invalid"

    # No owner: a built-in sample. Public datasets are visible (read-only) to every user.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="datasets",
    )
    name = models.CharField(max_length=200)
    format = models.CharField(max_length=8, choices=Format.choices)
    file = models.FileField(upload_to="datasets/%Y/%m/", max_length=500)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    error = models.TextField(blank=True)
    schema = models.JSONField(default=dict, blank=True)
    rows = models.IntegerField(default=0)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.name
