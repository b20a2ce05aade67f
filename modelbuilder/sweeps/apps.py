from django.apps import AppConfig


class SweepsConfig(AppConfig):
    name = "modelbuilder.sweeps"
    label = "sweeps"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from modelbuilder.sweeps import signals  # noqa: F401  (connects the run-ended hook)
