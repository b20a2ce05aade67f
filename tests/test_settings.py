"""The settings come from the environment: each case loads them in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DUMP = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG, "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS, "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "db": {k: db.get(k) for k in ("ENGINE", "NAME", "USER", "HOST", "PORT")},
    "REDIS_URL": settings.REDIS_URL, "broker": settings.CELERY_BROKER_URL,
    "backend": settings.CELERY_RESULT_BACKEND, "layer": settings.CHANNEL_LAYERS["default"],
    "max_upload": settings.MODELBUILDER_MAX_UPLOAD_BYTES, "ALLOW_SIGNUP": settings.ALLOW_SIGNUP,
    "serializer": settings.CELERY_TASK_SERIALIZER, "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "reject_lost": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "queue": settings.CELERY_TASK_DEFAULT_QUEUE,
}))
"""

CLEARED = [
    "SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "MEDIA_ROOT",
    "MODELBUILDER_MAX_UPLOAD_BYTES", "ALLOW_SIGNUP", "MODELBUILDER_VAR_DIR",
]  # fmt: skip


def load(tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if k not in CLEARED}
    full.update(DJANGO_SETTINGS_MODULE="modelbuilder.settings", MODELBUILDER_VAR_DIR=str(tmp_path))
    full.update(env)
    result = subprocess.run(
        [sys.executable, "-c", DUMP], cwd=ROOT, env=full, capture_output=True, text=True
    )
    return result


def settings_from(tmp_path, **env):
    result = load(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_need_nothing_from_the_environment(tmp_path):
    s = settings_from(tmp_path)

    assert s["DEBUG"] is True
    assert s["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["db"]["NAME"] == str(tmp_path / "db.sqlite3")
    assert s["MEDIA_ROOT"] == str(tmp_path / "media")
    assert s["max_upload"] == 100 * 1024 * 1024
    assert s["ALLOW_SIGNUP"] is True
    assert (s["serializer"], s["acks_late"], s["reject_lost"]) == ("json", True, True)
    assert s["queue"] == "cpu"


def test_every_setting_is_read_from_the_environment(tmp_path):
    s = settings_from(
        tmp_path,
        SECRET_KEY="s3cret-from-env",
        DEBUG="0",
        DATABASE_URL="postgres://alice:pw@db.example:6543/models",
        REDIS_URL="redis://cache.example:6390/3",
        ALLOWED_HOSTS="models.example, api.example",
        MEDIA_ROOT=str(tmp_path / "uploads"),
        MODELBUILDER_MAX_UPLOAD_BYTES="12345",
        ALLOW_SIGNUP="false",
    )

    assert s["DEBUG"] is False
    assert s["SECRET_KEY"] == "s3cret-from-env"
    assert s["ALLOWED_HOSTS"] == ["models.example", "api.example"]
    assert s["db"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "models",
        "USER": "alice",
        "HOST": "db.example",
        "PORT": 6543,
    }
    assert s["REDIS_URL"] == s["broker"] == s["backend"] == "redis://cache.example:6390/3"
    assert s["MEDIA_ROOT"] == str(tmp_path / "uploads")
    assert s["max_upload"] == 12345
    assert s["ALLOW_SIGNUP"] is False


def test_the_channel_layer_uses_redis_without_a_socket_timeout(tmp_path):
    s = settings_from(tmp_path, REDIS_URL="redis://127.0.0.1:6399/2")

    # channels_redis, minus the message loss of a cancelled receive (modelbuilder/core/channel_layer.py)
    assert s["layer"]["BACKEND"] == "modelbuilder.core.channel_layer.CancelSafeRedisChannelLayer"
    assert s["layer"]["CONFIG"]["hosts"] == [
        {"address": "redis://127.0.0.1:6399/2", "socket_timeout": None}
    ]


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = load(tmp_path, DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
