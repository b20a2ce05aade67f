"""The editor as a new user meets it: drag layers, connect, set parameters, see shapes, fix a
mistake with one click, save."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (  # noqa: F401
    base_url,
    connect,
    console,
    drop_layer,
    node,
    screenshot,
    set_param,
    sign_up,
)

# The live server must see this session's test database: pytest-django only creates the databases
# that some collected test asks for, and flushes this one after each test.
pytestmark = pytest.mark.django_db(transaction=True)


def test_build_a_model_fix_a_mistake_and_save(page, base_url, console):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_up(page, base_url)
    page.get_by_test_id("nav-designs").click()
    page.get_by_test_id("new-design").click()
    expect(page.get_by_test_id("palette-Dense")).to_be_visible()

    # Input and Dense from the palette onto the canvas, connected.
    drop_layer(page, "Input", 420, 90)
    drop_layer(page, "Dense", 420, 330)
    expect(page.get_by_test_id("layer-node")).to_have_count(2)
    connect(page, "input", "dense")
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    # Parameters from the inspector; shapes appear as the server validates.
    set_param(page, "input", "shape", "8")
    set_param(page, "dense", "units", "0")
    expect(page.get_by_test_id("param-units-error")).to_contain_text("≥ 1")
    set_param(page, "dense", "units", "16")
    expect(node(page, "dense").get_by_test_id("node-shape")).to_have_text("(None, 16)")
    expect(node(page, "input").get_by_test_id("node-shape")).to_have_text("(None, 8)")
    expect(page.get_by_test_id("summary-params")).to_have_text("144")  # 8*16 + 16

    # Undo brings the old units back, redo restores them.
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    page.keyboard.press("Control+z")
    expect(node(page, "dense").get_by_test_id("node-shape")).not_to_have_text("(None, 16)")
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "dense").get_by_test_id("node-shape")).to_have_text("(None, 16)")

    # The classic mistake: images through a Conv2D straight into a Dense.
    set_param(page, "input", "shape", "28, 28, 1")
    drop_layer(page, "Conv2D", 700, 210)
    connect(page, "input", "conv2d")
    connect(page, "conv2d", "dense")
    issue = node(page, "dense").locator("[data-testid=node-error], [data-testid=node-warning]")
    expect(issue.first).to_contain_text("Flatten")
    screenshot(page, "editor-mistake")
    issue.first.get_by_test_id("node-fix").click()
    expect(node(page, "flatten")).to_be_visible()
    expect(node(page, "dense").get_by_test_id("node-shape")).to_have_text("(None, 16)")
    expect(issue).to_have_count(0)
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))

    # Delete with the keyboard, then undo it.
    node(page, "flatten").locator(".ln-head").click()
    page.keyboard.press("Delete")
    expect(node(page, "flatten")).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(node(page, "flatten")).to_be_visible()

    # Tidy up, rename and save with Ctrl-S: the URL gets the design's id and it reloads the same.
    page.get_by_test_id("auto-layout").click()
    page.get_by_test_id("design-name").fill("Conv net (e2e)")
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    page.keyboard.press("Control+s")
    expect(page).to_have_url(re.compile(r"/designs/\d+$"))
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    screenshot(page, "editor-saved")
    page.reload()
    expect(page.get_by_test_id("layer-node")).to_have_count(4)
    expect(node(page, "dense").get_by_test_id("node-shape")).to_have_text("(None, 16)")
    expect(page.get_by_test_id("design-name")).to_have_value("Conv net (e2e)")

    # A second version; the first stays reachable from History and by address (runs link there).
    set_param(page, "dense", "units", "24")
    expect(node(page, "dense").get_by_test_id("node-shape")).to_have_text("(None, 24)")
    page.get_by_test_id("save-design").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.get_by_test_id("versions").click()
    expect(page.get_by_test_id("versions-menu").locator("[data-testid^=version-]")).to_have_count(2)
    page.get_by_test_id("versions").click()
    page.goto(page.url + "?version=1")
    expect(page.get_by_test_id("version-banner")).to_contain_text("version 1")
    expect(node(page, "dense").get_by_test_id("node-shape")).to_have_text("(None, 16)")
    console.assert_clean()


def test_import_a_keras_model_config(page, base_url, console, tmp_path):  # noqa: F811
    """A Keras Sequential model's JSON (model.to_json()) lands on the canvas with its parameters."""
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "mlp",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "x"}},
                {
                    "class_name": "Dense",
                    "config": {"name": "hidden", "units": 32, "activation": "relu"},
                },
                {
                    "class_name": "Dense",
                    "config": {"name": "out", "units": 3, "activation": "softmax"},
                },
            ],
        },
    }
    path = tmp_path / "mlp.json"
    path.write_text(json.dumps(config))
    sign_up(page, base_url)
    page.goto(base_url + "/designs/new")
    expect(page.get_by_test_id("palette-Dense")).to_be_visible()
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.get_by_test_id("layer-node")).to_have_count(3)
    expect(node(page, "out").get_by_test_id("node-shape")).to_have_text("(None, 3)")
    expect(page.get_by_test_id("summary-params")).to_have_text("259")  # 4*32+32 + 32*3+3
    console.assert_clean()


def test_templates_export_and_copy_paste(page, base_url, console):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_up(page, base_url)
    page.goto(base_url + "/designs")
    page.get_by_test_id("new-from-two-branch").click()
    expect(page.get_by_test_id("layer-node")).to_have_count(5)
    expect(node(page, "concatenate").get_by_test_id("node-shape")).to_have_text("(None, 64)")
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))

    with page.expect_download() as download:
        page.get_by_test_id("export-keras").click()
    script = open(download.value.path()).read()
    assert "layers.Concatenate" in script and "keras.Model(" in script

    node(page, "branch_a").locator(".ln-head").click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.get_by_test_id("layer-node")).to_have_count(6)

    # The merge layer grows a third input handle; wiring the copy into it widens the output.
    page.get_by_test_id("auto-layout").click()
    connect(page, "input", "dense")
    connect(page, "dense", "concatenate", slot=2)
    expect(node(page, "concatenate").get_by_test_id("node-shape")).to_have_text("(None, 96)")
    expect(node(page, "concatenate").locator("[data-testid^=handle-in-]")).to_have_count(4)
    page.get_by_test_id("auto-layout").click()
    screenshot(page, "editor-template")

    # Leaving with unsaved changes asks first; staying keeps the canvas.
    messages = []

    def answer(dialog, accept):
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, accept=False))
    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id("layer-node")).to_have_count(6)
    page.once("dialog", lambda d: answer(d, accept=True))
    page.get_by_test_id("nav-runs").click()
    expect(page).to_have_url(re.compile(r"/runs$"))
    assert len(messages) == 2 and "unsaved" in messages[0]
    console.assert_clean()


def test_import_a_keras_h5_file(page, base_url, console, tmp_path):  # noqa: F811
    """A Keras .h5 file (read by the server) lands on the canvas with its layers and parameters."""
    from engine import layers, models

    model = models.Sequential([layers.Input((4,)), layers.Dense(32, activation="relu", name="hidden"),
                               layers.Dense(3, activation="softmax", name="out")])
    path = tmp_path / "mlp.h5"
    model.save(path)
    sign_up(page, base_url)
    page.goto(base_url + "/designs/new")
    expect(page.get_by_test_id("palette-Dense")).to_be_visible()
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.get_by_test_id("layer-node")).to_have_count(3)
    expect(node(page, "out").get_by_test_id("node-shape")).to_have_text("(None, 3)")
    expect(page.get_by_test_id("summary-params")).to_have_text("259")
    console.assert_clean()
