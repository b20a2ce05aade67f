"""The sweep page with Redis down: no socket can deliver a message (the server accepts, cannot join
the sweep's group, closes), so from the 4th such connection the page reads the sweep over HTTP and
shows it, ended, instead of giving up as if the sweep could not be shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, screenshot, sign_up, upload_dataset  # noqa: F401
from tests.e2e.test_redis_restart import own_redis_stack  # noqa: F401 (a fixture)
from tests.e2e.test_sweeps import make_csv

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_ended_sweep_shows_while_redis_is_down(page, own_redis_stack, console, tmp_path):  # noqa: F811
    redis, server, _ = own_redis_stack
    sign_up(page, server)
    make_csv(tmp_path / "three.csv")
    upload_dataset(page, tmp_path / "three.csv")
    page.get_by_test_id("nav-designs").click()
    page.get_by_test_id("new-from-mlp").click()
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    page.get_by_test_id("train-dialog").get_by_test_id("open-sweep").click()
    form = page.get_by_test_id("sweep-form")
    expect(form).to_be_visible(timeout=20_000)
    units = form.get_by_test_id("sweep-param-units@dense")
    units.get_by_test_id("sweep-param-on").check()
    units.get_by_test_id("sweep-param-mode").select_option("list")
    units.get_by_test_id("sweep-param-values").fill("4, 16")
    form.get_by_test_id("sweep-strategy").select_option("grid")
    form.get_by_test_id("sweep-trials").fill("2")
    form.get_by_test_id("sweep-parallelism").fill("2")
    form.get_by_test_id("train-epochs").fill("2")
    form.get_by_test_id("sweep-submit").click()
    expect(page).to_have_url(re.compile(r"/sweeps/\d+$"), timeout=30_000)
    ended = page.locator("[data-testid=sweep-trial-row][data-status=succeeded]")
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=120_000
    )
    expect(ended).to_have_count(2)

    redis.kill()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.reload()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=30_000
    )
    expect(ended).to_have_count(2)
    expect(page.get_by_text("This sweep cannot be shown")).to_have_count(0)
    screenshot(page, "sweep-read-over-http-while-redis-down")
    opened = len([u for u in sockets if "/ws/sweeps/" in u])
    assert opened >= 4, sockets  # it read HTTP only after 4 sockets delivered nothing
    page.wait_for_timeout(3_000)
    stopped = len([u for u in sockets if "/ws/sweeps/" in u])
    assert stopped == opened, sockets  # the sweep ended: no more sockets
    redis.start()  # the teardown stops the worker and server cleanly
    console.assert_clean(expected=("WebSocket",))


def test_a_sweep_that_cannot_be_shown_is_still_refused(page, base_url):  # noqa: F811
    """The page asks HTTP why the socket fails (above); a sweep that is not there is refused."""
    sign_up(page, base_url)
    page.goto(base_url + "/sweeps/999999")
    expect(page.get_by_text("This sweep cannot be shown")).to_be_visible(timeout=30_000)
