"""Start a small sweep from the editor's Train dialog, watch its trials complete live, open a
trial's run, and apply the best trial to the design."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, screenshot, sign_up, upload_dataset  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def make_csv(path, rows=240, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).round(4)
    labels = np.array(["a", "b", "c"])[np.argmax(x[:, :3], axis=1)]
    lines = ["f1,f2,f3,noise,species"] + [
        ",".join(f"{v:.4f}" for v in row) + f",{label}" for row, label in zip(x, labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


def test_a_sweep_from_the_browser(page, base_url, console, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_up(page, base_url)
    make_csv(tmp_path / "three.csv")
    upload_dataset(page, tmp_path / "three.csv")

    page.get_by_test_id("nav-designs").click()
    page.get_by_test_id("new-from-mlp").click()
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    dialog = page.get_by_test_id("train-dialog")
    expect(dialog.get_by_test_id("train-target")).to_have_value("species")
    dialog.get_by_test_id("open-sweep").click()  # saves the design, opens the sweep form

    form = page.get_by_test_id("sweep-form")
    expect(form).to_be_visible(timeout=20_000)
    units = form.get_by_test_id("sweep-param-units@dense")
    units.get_by_test_id("sweep-param-on").check()
    units.get_by_test_id("sweep-param-mode").select_option("list")
    units.get_by_test_id("sweep-param-values").fill("4, 16, x")
    expect(units.get_by_test_id("sweep-param-error")).to_contain_text("not an integer")
    expect(form.get_by_test_id("sweep-submit")).to_be_disabled()
    units.get_by_test_id("sweep-param-values").fill("4, 16")
    rate = form.get_by_test_id("sweep-param-learning_rate")
    rate.get_by_test_id("sweep-param-on").check()
    rate.get_by_test_id("sweep-param-min").fill("0.005")
    rate.get_by_test_id("sweep-param-max").fill("0.05")
    form.get_by_test_id("sweep-strategy").select_option("random")
    form.get_by_test_id("sweep-trials").fill("3")
    form.get_by_test_id("sweep-parallelism").fill("2")
    form.get_by_test_id("train-epochs").fill("2")
    screenshot(page, "sweep-form")
    form.get_by_test_id("sweep-submit").click()

    expect(page).to_have_url(re.compile(r"/sweeps/\d+$"), timeout=30_000)
    rows = page.get_by_test_id("sweep-trial-row")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=120_000)
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=sweep-trial-row][data-status=succeeded]")).to_have_count(3)
    expect(page.get_by_test_id("sweep-progress")).to_contain_text("3 of 3")
    expect(page.get_by_test_id("sweep-best")).to_be_visible()
    expect(page.get_by_test_id("sweep-chart")).to_have_attribute("data-points", "3")
    screenshot(page, "sweep-done")

    page.get_by_test_id("sweep-apply-best").click()
    expect(page.get_by_test_id("sweep-applied")).to_contain_text("version")
    expect(page.get_by_test_id("sweep-applied")).to_contain_text("learning_rate=")

    rows.first.get_by_test_id("sweep-trial-run").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("run-download")).to_be_visible()
    console.assert_clean()
