from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "modelbuilder.core"
    label = "core"
    verbose_name = "ModelBuilder core"
