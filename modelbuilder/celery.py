"""The Celery app.

Workers: `celery -A modelbuilder worker -Q cpu,celery` (GPU workers add `-Q gpu`).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelbuilder.settings")

app = Celery("modelbuilder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
