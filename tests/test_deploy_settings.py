"""Production settings as docs/deployment.md documents them: `check --deploy` is clean, and HTTPS
behind a reverse proxy behaves (redirect plain HTTP, HSTS, the health probe exempt)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def deploy_env(tmp_path) -> dict[str, str]:
    """The environment docs/deployment.md lists (values are examples)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "AWS_", "MODELBUILDER_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="modelbuilder.settings",
        MODELBUILDER_VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="modelbuilder.example.com",
        CSRF_TRUSTED_ORIGINS="https://modelbuilder.example.com",
        DATABASE_URL="postgres://modelbuilder:pw@db.internal:5432/modelbuilder",
        REDIS_URL="redis://redis.internal:6379/0",
        MODELBUILDER_S3_BUCKET="modelbuilder",
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY=secrets.token_urlsafe(30),
    )
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    result = check_deploy(deploy_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output and "WARNING" not in output


def test_check_deploy_notices_when_https_is_turned_off(tmp_path):
    """The test above can fail: without the HTTPS settings the same check warns."""
    env = {**deploy_env(tmp_path), "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"}
    result = check_deploy(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W008" in output and "security.W012" in output


@pytest.fixture
def https_settings(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    return settings


@pytest.mark.django_db
def test_behind_the_proxy_http_redirects_https_gets_hsts_health_is_exempt(https_settings):
    client = Client()
    plain = client.get("/api/layers")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/api/layers"
    secure = client.get("/api/layers", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code != 301
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/api/health").status_code in (200, 503)
