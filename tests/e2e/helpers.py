"""Shared steps for the editor/training browser tests: sign up, watch the console, drive the canvas.

Screenshots go to test-artifacts/ (gitignored) at the repository root.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# The suite shares 2 cores with a worker and a server: give assertions more than the default 5 s.
expect.set_options(timeout=15_000)


@pytest.fixture
def base_url(request) -> str:
    """The live server; E2E_BASE_URL points the tests at an already running `make run` instead."""
    return os.environ.get("E2E_BASE_URL") or request.getfixturevalue("live_server_url")


class ConsoleWatch:
    """Collects console errors and uncaught exceptions of a page."""

    def __init__(self, page: Page):
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def assert_clean(self, expected: tuple[str, ...] = ()) -> None:
        """No errors, except those containing one of `expected` (e.g. a 400 the test provoked)."""
        left = [e for e in self.errors if not any(x in e for x in expected)]
        assert left == [], "browser console errors:\n" + "\n".join(left)


@pytest.fixture
def console(page) -> ConsoleWatch:
    return ConsoleWatch(page)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def sign_up(page: Page, base_url: str) -> str:
    """Create a fresh account through the sign-up page, as a new user would; returns the name."""
    username = f"e2e-{uuid.uuid4().hex[:10]}"
    password = f"pw-{uuid.uuid4().hex}"
    page.goto(base_url + "/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("nav-user")).to_contain_text(username)
    return username


def upload_dataset(page: Page, path: Path) -> None:
    """Upload a file from the Datasets page, as a user would, and wait for its dataset page."""
    page.get_by_test_id("nav-datasets").click()
    page.get_by_test_id("upload-file").set_input_files(str(path))
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("dataset-page")).to_be_visible(timeout=30_000)


def node(page: Page, node_id: str):
    return page.locator(f".react-flow__node[data-id='{node_id}']")


def drop_layer(page: Page, layer: str, x: float, y: float) -> None:
    """Drag a layer from the palette onto the canvas at (x, y) relative to the canvas."""
    page.get_by_test_id(f"palette-{layer}").drag_to(
        page.locator(".react-flow__pane"), target_position={"x": x, "y": y}
    )


def settled(page: Page) -> None:
    """Wait for the debounced validation to answer (node sizes, and so handle positions, change)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("summary-bar")).to_have_attribute("data-validating", "false")


def _drag_handle(page: Page, source: str, target: str, slot: int) -> None:
    settled(page)
    src = node(page, source).get_by_test_id("handle-out").bounding_box()
    assert src, "source handle not visible"
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
    page.mouse.down()
    dst = node(page, target).get_by_test_id(f"handle-in-{slot}").bounding_box()
    assert dst, "target handle not visible"
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] - 20, steps=8)
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + dst["height"] / 2, steps=4)
    page.mouse.up()


def connect(page: Page, source: str, target: str, slot: int = 0) -> None:
    """Drag from the output handle of `source` to input handle `slot` of `target`.

    A node can grow while the drag runs (a validation answer adds a message), moving the handle
    under the pointer; on a busy machine that happens, so one retry is allowed.
    """
    edge = page.locator(f".react-flow__edge[data-id^='e-{source}-{target}-']")
    for _ in range(2):
        _drag_handle(page, source, target, slot)
        try:
            expect(edge).to_have_count(1, timeout=3_000)
            return
        except AssertionError:
            continue
    expect(edge).to_have_count(1)


def set_param(page: Page, node_id: str, name: str, value: str) -> None:
    """Select a node and type a value into its inspector field."""
    node(page, node_id).locator(".ln-head").click()
    expect(page.get_by_test_id("node-inspector")).to_have_attribute("data-node-id", node_id)
    page.get_by_test_id(f"param-{name}").fill(value)
