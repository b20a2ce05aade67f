"""Pause a running run from its page, resume it, see where it resumed; the server's refusal shows in
place; the Sweeps link in the top navigation."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, screenshot, sign_up, upload_dataset  # noqa: F401
from tests.e2e.test_training import make_csv

pytestmark = pytest.mark.django_db(transaction=True)


def test_pause_resume_a_run(page, base_url, console, tmp_path):  # noqa: F811
    sign_up(page, base_url)
    page.get_by_test_id("nav-sweeps").click()
    expect(page).to_have_url(re.compile(r"/sweeps$"))

    make_csv(tmp_path / "small.csv", rows=300)
    upload_dataset(page, tmp_path / "small.csv")
    page.goto(base_url + "/designs/new?template=mlp")
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    page.get_by_test_id("train-epochs").fill("2000")
    page.get_by_test_id("train-submit").click()
    status = page.get_by_test_id("run-status")
    expect(page.get_by_test_id("chart-loss")).to_be_visible(timeout=60_000)
    expect(status).to_have_attribute("data-status", "running")
    expect(page.get_by_test_id("run-resumed")).to_have_count(0)
    expect(page.get_by_test_id("run-resume")).to_have_count(0)

    # A refusal from the server is shown next to the buttons.
    refusal = (
        '{"code": "run_ended", "message": "The run has ended (succeeded); it cannot be paused."}'
    )
    page.route(
        re.compile(r"/api/runs/\d+/pause$"),
        lambda route: route.fulfill(status=400, content_type="application/json", body=refusal),
    )
    page.get_by_test_id("run-pause").click()
    expect(page.get_by_test_id("run-action-error")).to_have_text(re.compile("cannot be paused"))
    page.unroute(re.compile(r"/api/runs/\d+/pause$"))

    # Pause for real: the worker checkpoints and the run becomes paused.
    page.get_by_test_id("run-pause").click()
    expect(page.get_by_test_id("run-action-error")).to_have_count(0)
    expect(status).to_have_attribute("data-status", "paused", timeout=60_000)
    expect(page.get_by_test_id("run-pause")).to_have_count(0)
    expect(page.get_by_test_id("run-resume")).to_be_visible()
    paused_points = int(page.get_by_test_id("chart-loss").get_attribute("data-points"))
    page.wait_for_timeout(1500)  # nothing trains while paused
    assert int(page.get_by_test_id("chart-loss").get_attribute("data-points")) == paused_points
    screenshot(page, "run-paused")

    # Resume: it continues from its checkpoint and says so.
    page.get_by_test_id("run-resume").click()
    resumed = page.get_by_test_id("run-resumed")
    expect(resumed).to_contain_text("after pause", timeout=60_000)
    expect(resumed).to_have_attribute("data-reason", "paused")
    epoch = int(resumed.get_attribute("data-epoch"))
    assert 1 <= epoch <= paused_points + 1, (epoch, paused_points)
    expect(resumed).to_contain_text(f"Resumed from epoch {epoch}")
    expect(status).to_have_attribute("data-status", "running")
    chart = page.get_by_test_id("chart-loss")
    expect(chart).not_to_have_attribute("data-points", str(paused_points), timeout=60_000)
    screenshot(page, "run-resumed")

    page.get_by_test_id("run-cancel").click()
    expect(status).to_have_attribute("data-status", "cancelled", timeout=60_000)
    expect(page.get_by_test_id("run-pause")).to_have_count(0)
    # Epochs 1..n with no gap or duplicate across the pause.
    n = int(chart.get_attribute("data-points"))
    expect(page.get_by_test_id("epoch-row")).to_have_count(n)
    console.assert_clean(expected=("status of 400",))  # the refusal above
