"""docker-compose.yml's environment against what the app reads (no Docker engine needed).

`docker compose up` cannot run on a machine without a Docker engine, so this checks what it would
give each process: the app services' variables are interpolated as compose does (`${X:-default}`,
`${X:?message}`) and the Django settings are loaded from exactly that environment in a fresh
process; the database, Redis, the bucket and its credentials must be the compose services', the
same for web and every kind of worker.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.launcher import DAPHNE_OPTIONS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ["web", "worker", "gpu-worker", "beat"]
INTERPOLATION = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
# The .env a user writes: only SECRET_KEY is required (compose refuses to start without it).
DOT_ENV = {"SECRET_KEY": "compose-test-secret-key-compose-test-secret-key-0123456789"}

SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
storage = settings.STORAGES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "db": [db["ENGINE"], db["HOST"], db["PORT"], db["NAME"], db["USER"], db["PASSWORD"]],
    "broker": settings.CELERY_BROKER_URL,
    "channels": settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"],
    "storage": storage["BACKEND"],
    "s3": storage.get("OPTIONS", {}),
}))
"""


def interpolate(value, env: dict) -> str:
    def one(match):
        name, kind, arg = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise AssertionError(f"compose would refuse to start: {arg}")
        return arg or ""

    return INTERPOLATION.sub(one, str(value))


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def environment(service: dict) -> dict[str, str]:
    return {k: interpolate(v, DOT_ENV) for k, v in (service.get("environment") or {}).items()}


def test_compose_refuses_to_start_without_a_secret_key(services):
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        interpolate(services["web"]["environment"]["SECRET_KEY"], {})


def test_every_app_service_gets_the_same_environment(services):
    envs = {name: environment(services[name]) for name in APP_SERVICES}
    assert all(env == envs["web"] for env in envs.values()), envs


def test_each_variable_is_one_the_settings_read(services):
    settings_source = (ROOT / "modelbuilder" / "settings.py").read_text()
    for name in environment(services["web"]):
        assert f'"{name}"' in settings_source, f"{name} is set in compose but never read"


def test_the_settings_built_from_that_environment_use_the_compose_services(services):
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": os.environ.get("HOME", "/")}
    env |= environment(services["web"])
    env |= {"DJANGO_SETTINGS_MODULE": "modelbuilder.settings", "MODELBUILDER_VAR_DIR": "/tmp"}
    out = subprocess.run([sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])

    postgres = environment(services["postgres"])
    assert got["debug"] is False
    assert got["db"] == ["django.db.backends.postgresql", "postgres", 5432,
                         postgres["POSTGRES_DB"], postgres["POSTGRES_USER"],
                         postgres["POSTGRES_PASSWORD"]]  # fmt: skip
    assert got["broker"] == got["channels"] == "redis://redis:6379/0"

    minio, init = environment(services["minio"]), environment(services["minio-init"])
    assert got["storage"] == "storages.backends.s3.S3Storage"
    s3 = got["s3"]
    assert s3["endpoint_url"] == "http://minio:9000"  # the minio service's API port
    assert (s3["access_key"], s3["secret_key"]) == (
        minio["MINIO_ROOT_USER"],
        minio["MINIO_ROOT_PASSWORD"],
    )
    assert (init["MINIO_ROOT_USER"], init["MINIO_ROOT_PASSWORD"]) == (
        minio["MINIO_ROOT_USER"],
        minio["MINIO_ROOT_PASSWORD"],
    )
    assert s3["bucket_name"] == init["BUCKET"]  # the bucket minio-init creates
    assert s3["addressing_style"] == "path"  # MinIO without wildcard DNS


def test_services_start_only_once_their_dependencies_are_ready(services):
    for name in ["postgres", "redis", "minio", "web"]:
        assert services[name]["healthcheck"]["test"], name
    assert services["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert (
            depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"
        )
        assert depends["minio-init"]["condition"] == "service_completed_successfully"


def test_the_web_server_runs_with_the_launchers_daphne_options(services):
    command = services["web"]["command"]
    assert " ".join(DAPHNE_OPTIONS) in " ".join(command.split())
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    assert " ".join(DAPHNE_OPTIONS) in " ".join(json.loads(cmd))
