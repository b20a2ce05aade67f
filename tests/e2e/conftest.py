"""Browser tests: daphne + a Celery worker as subprocesses on the test database, Debian's chromium.

Run them in their own pytest invocation (`pytest tests/e2e`): sync Playwright and pytest-asyncio
do not share a process well. Fixtures:
    live_server_url  http://127.0.0.1:<free port> serving the real ASGI app (the built frontend,
                     the API, websockets) with a real worker; data a test creates must be
                     committed (`transactional_db`) for the server to see it
    browser          a headless chromium (skipped with a reason when /usr/bin/chromium is missing)
    page             a fresh page (new context) per test
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from modelbuilder.core.embedded_redis import die_with_parent
from scripts.launcher import DAPHNE_OPTIONS  # the web server's options, as `make run` starts it

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MODELBUILDER_CHROMIUM", "/usr/bin/chromium")
# Sync Playwright keeps an event loop running in this thread; the database setup and per-test flush
# of tests marked django_db(transaction=True) are sync code that Django would refuse next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]  # fmt: skip


def pytest_collection_modifyitems(config, items):
    e2e_dir = Path(__file__).parent
    for item in items:
        if e2e_dir in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    dist = ROOT / "frontend" / "dist"
    if not (ROOT / "frontend" / "package.json").exists():
        pytest.skip("frontend/package.json does not exist yet: no page to test")
    if not (dist / "index.html").is_file():
        pytest.fail("frontend/dist is not built: run `make test` (or `make frontend`) first")
    return dist


@pytest.fixture(scope="session")
def live_server_url(subprocess_env, celery_worker_proc, frontend_dist):
    from modelbuilder.core.embedded_redis import free_port, stop_process_group

    port = free_port()
    env = dict(subprocess_env, ALLOWED_HOSTS="127.0.0.1,localhost")
    log_path = Path(tempfile.mkstemp(prefix="modelbuilder-daphne-", suffix=".log")[1])
    daphne = Path(sys.executable).parent / "daphne"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(port), *DAPHNE_OPTIONS,
             "modelbuilder.asgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"daphne exited ({proc.returncode}):\n{log_path.read_text()}")
            try:
                urllib.request.urlopen(url + "/api/health", timeout=5).close()
                break
            except urllib.error.HTTPError:
                break  # it answers; the test checks the content
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"daphne did not answer:\n{log_path.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        stop_process_group(proc)
        log_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium when run as root "
            "(or: apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
