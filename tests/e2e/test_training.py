"""Upload a CSV with a real progress bar, train a design on it, watch the curves grow live,
download the .h5 and load it with the engine."""

import re
import time

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, screenshot, sign_up, upload_dataset  # noqa: F401

# The live server must see this session's test database: pytest-django only creates the databases
# that some collected test asks for, and flushes this one after each test.
pytestmark = pytest.mark.django_db(transaction=True)

LABELS = np.array(["setosa", "versicolor", "virginica"])


def make_csv(path, rows=1000, seed=0):
    """Three separable classes (the largest of the first three features) plus a noise column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).round(4)
    y = LABELS[np.argmax(x[:, :3], axis=1)]
    lines = ["f1,f2,f3,noise,species"] + [
        ",".join(f"{v:.4f}" for v in row) + f",{label}" for row, label in zip(x, y, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return x, y


def watch_upload_progress(page):
    """Record every value the upload progress bar shows (it lives for a moment only)."""
    page.add_init_script("""
        window.__progress = [];
        new MutationObserver(() => {
          const el = document.querySelector('[data-testid=upload-progress]');
          if (el) window.__progress.push(Number(el.dataset.progress));
        }).observe(document, {subtree: true, childList: true, attributes: true});
    """)


def test_upload_train_watch_and_download(page, base_url, console, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    watch_upload_progress(page)
    sign_up(page, base_url)

    # A broken file: the server's reason appears in place, naming the line.
    page.get_by_test_id("nav-datasets").click()
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b,label\n1,2,x\n3,oops,y\n4,5,x\n6,7,y\n")
    page.get_by_test_id("upload-file").set_input_files(str(broken))
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("upload-error")).to_contain_text("Line 3")
    expect(page.get_by_test_id("upload-error")).to_contain_text("oops")

    # Upload over a throttled connection so the progress bar really moves.
    x, y = make_csv(tmp_path / "iris-like.csv")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 20_000},
    )
    page.get_by_test_id("upload-file").set_input_files(str(tmp_path / "iris-like.csv"))
    expect(page.get_by_test_id("upload-name")).to_have_value("iris-like")
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("upload-progress")).to_be_visible()
    expect(page.get_by_test_id("dataset-page")).to_be_visible(timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    seen = page.evaluate("window.__progress")
    assert len(set(seen)) >= 3 and max(seen) == 100, f"progress values seen: {sorted(set(seen))}"
    expect(page.get_by_test_id("dataset-rows")).to_have_text("1,000")
    expect(page.get_by_test_id("column-choice-summary")).to_contain_text("species")
    expect(page.get_by_test_id("column-choice-summary")).to_contain_text("classification")
    expect(page.get_by_test_id("preview-table")).to_contain_text("versicolor")
    screenshot(page, "dataset")

    # A design from the MLP template, trained from the editor.
    page.get_by_test_id("nav-designs").click()
    page.get_by_test_id("new-from-mlp").click()
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    dialog = page.get_by_test_id("train-dialog")
    expect(dialog.get_by_test_id("train-target")).to_have_value("species")
    expect(dialog.get_by_test_id("train-loss")).to_have_value("categorical_crossentropy")
    expect(dialog.get_by_test_id("train-preflight")).to_have_count(0)
    dialog.get_by_test_id("train-epochs").fill("30")
    dialog.get_by_test_id("train-batch").fill("32")

    # Route the run's websocket through Playwright so the test can drop the connection mid-run.
    sockets = []

    def proxy(ws):
        sockets.append((ws, ws.connect_to_server()))

    page.route_web_socket(re.compile(r"/ws/runs/\d+/$"), proxy)
    dialog.get_by_test_id("train-submit").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"), timeout=30_000)

    # The loss chart gains points while the run is running, also after the connection dropped.
    chart = page.get_by_test_id("chart-loss")
    status = page.get_by_test_id("run-status")
    expect(status).to_be_visible(timeout=60_000)
    counts_while_running, after_drop, dropped_at = set(), set(), None
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = status.get_attribute("data-status")
        if state in ("succeeded", "failed", "cancelled"):
            break
        if state == "running" and chart.count():
            n = int(chart.get_attribute("data-points"))
            counts_while_running.add(n)
            if dropped_at is None and n >= 3:
                screenshot(page, "run-live")
                client, server = sockets[-1]
                client.close(code=4000, reason="test drops the connection")
                server.close()
                dropped_at = n
            elif dropped_at is not None and n > dropped_at:
                after_drop.add(n)
        page.wait_for_timeout(100)
    assert len(counts_while_running) >= 2, f"points seen while running: {counts_while_running}"
    assert len(sockets) >= 2, "the dashboard did not reconnect after the drop"
    assert after_drop, f"no new points after the drop at {dropped_at}"
    expect(status).to_have_attribute("data-status", "succeeded", timeout=240_000)
    expect(chart).to_have_attribute("data-points", "30")
    expect(page.get_by_test_id("chart-accuracy")).to_be_visible()
    expect(page.get_by_test_id("epoch-row")).to_have_count(30)
    final = page.get_by_test_id("final-metrics")
    expect(final).to_contain_text("accuracy")
    screenshot(page, "run-done")

    # Download the model and load it with the engine.
    with page.expect_download() as download:
        page.get_by_test_id("run-download").click()
    path = tmp_path / "model.h5"
    download.value.save_as(path)
    from engine.models import load_model

    model = load_model(str(path))
    probs = np.asarray(model.predict(x[:200, :4].astype("float32"), verbose=0))
    assert probs.shape == (200, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-4)
    # Labels are one-hot in sorted order: the model learned far better than chance (1/3).
    accuracy = float((LABELS[probs.argmax(axis=1)] == y[:200]).mean())
    assert accuracy > 0.6, accuracy

    # Reload mid-history: the dashboard rebuilds from the snapshot.
    page.reload()
    expect(page.get_by_test_id("chart-loss")).to_have_attribute("data-points", "30")
    console.assert_clean(expected=("status of 400",))  # the broken upload


def test_cancel_a_run_and_compare_runs(page, base_url, console, tmp_path):  # noqa: F811
    sign_up(page, base_url)
    make_csv(tmp_path / "small.csv", rows=300)
    upload_dataset(page, tmp_path / "small.csv")
    page.goto(base_url + "/designs/new?template=mlp")
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    page.get_by_test_id("train-epochs").fill("2000")
    page.get_by_test_id("train-submit").click()
    expect(page.get_by_test_id("chart-loss")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "running")
    page.get_by_test_id("run-cancel").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "cancelled", timeout=60_000
    )
    expect(page.get_by_test_id("run-cancel")).to_have_count(0)
    expect(page.get_by_test_id("run-download")).to_have_count(0)
    points = int(page.get_by_test_id("chart-loss").get_attribute("data-points"))
    assert 1 <= points < 2000
    cancelled = page.url.rsplit("/", 1)[1]

    # A second, short run of the same design; then both overlaid on the runs page.
    page.get_by_role("link", name="MLP classifier").click()
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    page.get_by_test_id("train-epochs").fill("3")
    page.get_by_test_id("train-lr").fill("0.01")
    page.get_by_test_id("train-submit").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )
    finished = page.url.rsplit("/", 1)[1]
    page.get_by_text("all runs of this design").click()
    expect(page.get_by_test_id("run-row")).to_have_count(2)
    page.get_by_test_id(f"select-run-{cancelled}").check()
    page.get_by_test_id(f"select-run-{finished}").check()
    chart = page.get_by_test_id("compare-chart")
    expect(chart).to_have_attribute("data-points", str(max(points, 3)))
    expect(page.get_by_test_id("config-table")).to_contain_text("0.01")
    screenshot(page, "runs-compare")
    console.assert_clean()
