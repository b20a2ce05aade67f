"""The settings resilience reads: a Django setting, else the environment variable of the same name,
else the default."""

from __future__ import annotations

import os

from django.conf import settings


def _setting(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return type(default)(value) if value not in (None, "") else default


def heartbeat_interval() -> float:
    return _setting("MODELBUILDER_HEARTBEAT_S", 5.0)


def stale_after_default() -> float:
    return _setting("MODELBUILDER_HEARTBEAT_STALE_S", 60.0)
