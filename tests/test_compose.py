"""docker-compose.yml: `docker compose config` when that CLI exists, else parse and check it."""

import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def compose_cli_available() -> bool:
    if not shutil.which("docker"):
        return False
    result = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    return result.returncode == 0


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.mark.skipif(not compose_cli_available(), reason="no `docker compose` CLI on this machine")
def test_docker_compose_config_accepts_the_file():
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        env={"SECRET_KEY": "test", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_it_has_the_services(compose):
    assert {"web", "worker", "gpu-worker", "redis", "postgres", "minio", "minio-init"} <= set(
        compose["services"]
    )


def test_app_services_share_the_object_store_and_no_disk(compose):
    """Workers may run anywhere (`--scale worker=4`, other machines): files go to the bucket."""
    init = compose["services"]["minio-init"]
    assert compose["services"]["minio"]["image"].startswith("minio/minio")
    assert "mc mb" in init["entrypoint"] and "$$BUCKET" in init["entrypoint"]
    for name in ["web", "worker", "gpu-worker"]:
        service = compose["services"][name]
        env = service["environment"]
        assert env["AWS_S3_ENDPOINT_URL"].endswith("http://minio:9000}")
        assert env["MODELBUILDER_S3_BUCKET"] and env["AWS_SECRET_ACCESS_KEY"]
        assert "volumes" not in service  # no shared media volume
        assert service["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    assert "container_name" not in compose["services"]["worker"]  # so it can be scaled
    beat = command_words(compose["services"]["beat"])
    assert beat[:4] == ["celery", "-A", "modelbuilder", "beat"]
    assert "--scale worker=" in COMPOSE.read_text()


def test_the_gpu_worker_is_a_profile_that_asks_for_an_nvidia_device(compose):
    gpu = compose["services"]["gpu-worker"]
    assert gpu["profiles"] == ["gpu"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    assert gpu["build"]["args"]["EXTRAS"] == "[gpu]"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert any(dep.startswith("cupy-cuda12x") for dep in extras["gpu"])
    for name in ["web", "worker", "redis", "postgres", "minio", "minio-init"]:
        assert "profiles" not in compose["services"][name]


def test_app_services_point_at_the_compose_database_and_redis(compose):
    for name in ["web", "worker", "gpu-worker"]:
        service = compose["services"][name]
        env = service["environment"]
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert set(service["depends_on"]) == {"postgres", "redis", "minio-init"}
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert compose["services"]["postgres"]["image"].startswith("postgres:")


def command_words(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_the_commands_exist(compose):
    bin_dir = Path(sys.executable).parent
    web = " ".join(command_words(compose["services"]["web"]))
    assert "manage.py migrate" in web and (ROOT / "manage.py").is_file()
    assert "daphne" in web and (bin_dir / "daphne").exists()
    target = web.split("daphne", 1)[1].split()[-1]
    module, attribute = target.split(":")
    imported = __import__(module, fromlist=[attribute])
    assert callable(getattr(imported, attribute))

    from django.conf import settings

    from modelbuilder.celery import app

    for name, queue in [("worker", settings.CELERY_TASK_DEFAULT_QUEUE), ("gpu-worker", "gpu")]:
        words = command_words(compose["services"][name])
        assert words[:4] == ["celery", "-A", "modelbuilder", "worker"]
        assert queue in words[words.index("-Q") + 1].split(",")
    assert (bin_dir / "celery").exists() and app.main == "modelbuilder"


def test_the_dockerfile_copies_files_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                if source.endswith("*"):  # optional (e.g. a lock file)
                    continue
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
