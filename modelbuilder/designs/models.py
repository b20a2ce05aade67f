"""A network design (the editor's graph JSON) and the history of its saved versions."""

from django.conf import settings
from django.db import models


class Design(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designs"
    )
    name = models.CharField(max_length=200)
    graph = models.JSONField(default=dict)
    # The last engine.graph.validate() answer for `graph` (a draft may carry errors).
    validation = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_valid(self) -> bool:
        return bool(self.validation.get("ok"))


class DesignVersion(models.Model):
    """One row per save: the graph exactly as it was saved as `version`."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    graph = models.JSONField()
    valid = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["design", "version"], name="design_version_unique")
        ]
