"""Mark parameters as searchable where they are edited (a Dense layer's units in the inspector, the
learning rate in the Train dialog), see the marks survive a save and a reload, see /sweeps/new pre-filled
from them, and start a sweep straight from the Train dialog whose trials complete on the sweep page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, node, screenshot, sign_up, upload_dataset  # noqa: F401
from tests.e2e.test_sweeps import make_csv

pytestmark = pytest.mark.django_db(transaction=True)


def mark_learning_rate(dialog) -> None:
    dialog.get_by_test_id("train-search-learning_rate").check()
    dialog.get_by_test_id("train-search-learning_rate-min").fill("0")
    # A log range needs min > 0 (and a learning rate must be > 0): the error is on the field.
    expect(dialog.get_by_test_id("train-search-learning_rate-error")).to_contain_text("> 0")
    expect(dialog.get_by_test_id("train-start-sweep")).to_be_disabled()
    dialog.get_by_test_id("train-search-learning_rate-min").fill("0.005")
    dialog.get_by_test_id("train-search-learning_rate-max").fill("0.05")
    expect(dialog.get_by_test_id("train-search-learning_rate-error")).to_have_count(0)


def test_a_sweep_from_search_marks(page, base_url, console, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 1000})
    sign_up(page, base_url)
    make_csv(tmp_path / "three.csv", rows=120)
    upload_dataset(page, tmp_path / "three.csv")

    # The inspector: mark Dense "dense" units as the list [4, 8]; a bad value is refused on the field.
    page.get_by_test_id("nav-designs").click()
    page.get_by_test_id("new-from-mlp").click()
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    node(page, "dense").locator(".ln-head").click()
    inspector = page.get_by_test_id("node-inspector")
    expect(inspector).to_have_attribute("data-node-id", "dense")
    inspector.get_by_test_id("search-units").check()
    inspector.get_by_test_id("search-units-mode").select_option("list")
    inspector.get_by_test_id("search-units-values").fill("4, x")
    expect(inspector.get_by_test_id("search-units-error")).to_contain_text("“x” is not an integer")
    inspector.get_by_test_id("search-units-values").fill("4, 0")
    expect(inspector.get_by_test_id("search-units-error")).to_contain_text("≥ 1")
    inspector.get_by_test_id("search-units-values").fill("4, 8")
    expect(inspector.get_by_test_id("search-units-error")).to_have_count(0)
    badge = node(page, "dense").get_by_test_id("node-search-badge")
    expect(badge).to_contain_text("units ∈ {4, 8}")
    expect(page.get_by_test_id("node-search-badge")).to_have_count(1)

    # Saved with the design: it comes back after a reload.
    page.get_by_test_id("save-design").click()
    expect(page).to_have_url(re.compile(r"/designs/\d+$"))
    page.reload()
    expect(node(page, "dense").get_by_test_id("node-search-badge")).to_contain_text(
        "units ∈ {4, 8}"
    )
    node(page, "dense").locator(".ln-head").click()
    expect(page.get_by_test_id("search-units-values")).to_have_value("4, 8")
    screenshot(page, "sweep-marks-editor")

    # The Train dialog offers a sweep once something is marked; the learning rate gets a range.
    page.get_by_test_id("open-train").click()
    dialog = page.get_by_test_id("train-dialog")
    expect(dialog.get_by_test_id("train-target")).to_have_value("species")
    expect(dialog.get_by_test_id("train-sweep-space")).to_contain_text("units@dense")
    mark_learning_rate(dialog)
    expect(dialog.get_by_test_id("train-sweep-space")).to_contain_text("learning_rate")

    # "Sweep…" opens the sweep form pre-filled with the same marks.
    dialog.get_by_test_id("open-sweep").click()
    form = page.get_by_test_id("sweep-form")
    expect(form).to_be_visible(timeout=20_000)
    units = form.get_by_test_id("sweep-param-units@dense")
    expect(units.get_by_test_id("sweep-param-on")).to_be_checked()
    expect(units.get_by_test_id("sweep-param-values")).to_have_value("4, 8")
    rate = form.get_by_test_id("sweep-param-learning_rate")
    expect(rate.get_by_test_id("sweep-param-min")).to_have_value("0.005")
    expect(rate.get_by_test_id("sweep-param-log")).to_be_checked()
    form.get_by_test_id("sweep-strategy").select_option("grid")
    expect(form.get_by_test_id("sweep-grid-size")).to_contain_text("10 points")
    expect(form.get_by_test_id("sweep-pruning")).to_have_value("median")
    page.go_back()

    # Back in the editor: the dialog remembers the learning-rate mark; start the sweep from it.
    page.get_by_test_id("open-train").click()
    dialog = page.get_by_test_id("train-dialog")
    expect(dialog.get_by_test_id("train-search-learning_rate")).to_be_checked()
    expect(dialog.get_by_test_id("train-search-learning_rate-min")).to_have_value("0.005")
    expect(dialog.get_by_test_id("train-search-learning_rate-max")).to_have_value("0.05")
    # Enter in a mark does not submit the dialog (that would start one plain training run).
    dialog.get_by_test_id("train-search-learning_rate-max").press("Enter")
    page.wait_for_timeout(300)
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("train-epochs").fill("1")
    dialog.get_by_test_id("sweep-strategy").select_option("grid")
    dialog.get_by_test_id("sweep-trials").fill("3")
    dialog.get_by_test_id("sweep-parallelism").fill("2")
    expect(dialog.get_by_test_id("sweep-pruning")).to_have_value("median")
    dialog.get_by_test_id("sweep-pruning").select_option("none")
    expect(dialog.get_by_test_id("sweep-grid-size")).to_contain_text("at most 3 run")
    dialog.get_by_test_id("train-sweep").scroll_into_view_if_needed()
    screenshot(page, "sweep-marks-train-dialog")
    dialog.get_by_test_id("train-start-sweep").click()

    expect(page).to_have_url(re.compile(r"/sweeps/\d+$"), timeout=30_000)
    sweep_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=90_000
    )
    rows = page.get_by_test_id("sweep-trial-row")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=sweep-trial-row][data-status=succeeded]")).to_have_count(3)
    expect(page.get_by_test_id("sweep-progress")).to_contain_text("3 of 3")
    screenshot(page, "sweep-marks-done")

    # The sweep searched exactly the marks, as the API's JSON.
    sweep = page.request.get(f"{base_url}/api/sweeps/{sweep_id}").json()
    assert sweep["strategy"] == "grid"
    assert sweep["max_trials"] == 3
    assert sweep["config"]["epochs"] == 1
    assert sweep["pruning"] == "none"
    assert sweep["space"] == {
        "units@dense": {"type": "choice", "values": [4, 8]},
        "learning_rate": {"type": "float", "min": 0.005, "max": 0.05, "log": True},
    }
    assert all(t["params"]["units@dense"] in (4, 8) for t in sweep["trials"])
    assert all(0.005 <= t["params"]["learning_rate"] <= 0.05 for t in sweep["trials"])
    console.assert_clean()
