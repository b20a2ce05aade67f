"""The sweep page shows a pruned trial: a sweep (started through the API as the signed-up user) whose
fourth trial cannot learn is pruned by the median rule on the real worker; the page marks it
"pruned" with the reason, counts it, and charts its partial objective."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, screenshot, sign_up  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def start_sweep(username: str) -> int:
    from modelbuilder.datasets.samples import sample_csv

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    csv = SimpleUploadedFile("iris.csv", sample_csv("iris"), content_type="text/csv")
    dataset = client.post("/api/datasets", {"file": csv, "name": "iris"}).json()
    graph = {
        "nodes": [
            {"id": "in", "layer": "Input", "params": {"shape": [4]}, "position": {"x": 0, "y": 0}},
            {"id": "d1", "layer": "Dense", "params": {"units": 8, "activation": "relu"}},
            {"id": "out", "layer": "Dense", "params": {"units": 3, "activation": "softmax"}},
        ],
        "edges": [{"source": "in", "target": "d1"}, {"source": "d1", "target": "out"}],
    }
    design = client.post(
        "/api/designs", {"name": "iris mlp", "graph": graph}, content_type="application/json"
    ).json()
    body = {
        "design": design["id"],
        "dataset": dataset["id"],
        "target": "species",
        "config": {
            "loss": "categorical_crossentropy",
            "optimizer": "adam",
            "epochs": 4,
            "batch_size": 32,
            "validation_split": 0.2,
            "standardize": True,
            "metrics": ["accuracy"],
            "seed": 1,
        },
        # Grid order, one at a time: three learners, then a rate too small to learn; the default
        # pruning (median, warm-up 1 epoch, 3 succeeded trials) stops the last one at epoch 2.
        "space": {"learning_rate": {"type": "choice", "values": [0.01, 0.02, 0.05, 1e-7]}},
        "strategy": "grid",
        "max_trials": 4,
        "parallelism": 1,
        "objective": "val_loss",
    }
    response = client.post("/api/sweeps", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_sweep_page_shows_a_pruned_trial(page, base_url, console):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sweep_id = start_sweep(sign_up(page, base_url))
    page.goto(f"{base_url}/sweeps/{sweep_id}")
    expect(page.get_by_test_id("sweep-pruning")).to_have_text(
        "median pruning after 1 epoch and 3 succeeded trials"
    )
    pruned = page.locator("[data-testid=sweep-trial-row][data-status=pruned]")
    expect(pruned).to_have_count(1, timeout=90_000)
    expect(page.get_by_test_id("sweep-progress")).to_contain_text("4 of 4 trials done (1 pruned)")
    expect(page.locator("[data-testid=sweep-trial-row][data-status=succeeded]")).to_have_count(3)
    expect(pruned.get_by_test_id("sweep-trial-status")).to_have_text("pruned")
    reason = re.compile(r"pruned at epoch 2: val_loss [0-9.]+ worse than the median [0-9.]+ of 3")
    expect(pruned).to_have_attribute("title", reason)  # the whole row, on hover
    expect(pruned.get_by_test_id("sweep-trial-prune-reason")).to_have_text(reason)
    expect(pruned.get_by_test_id("sweep-trial-run")).to_be_visible()  # its (cancelled) run
    expect(page.get_by_test_id("sweep-best")).not_to_have_attribute("data-trial", "4")
    chart = page.get_by_test_id("sweep-chart")
    expect(chart).to_have_attribute("data-points", "4")
    expect(chart).to_contain_text("pruned (best epoch before the stop)")  # its legend entry
    screenshot(page, "sweep-pruned")
    pruned.get_by_test_id("sweep-trial-run").click()  # its run page says who stopped it and why
    banner = page.get_by_test_id("run-trial")
    expect(banner).to_have_attribute("data-status", "pruned")
    expect(banner).to_contain_text("stopped early by the sweep")
    expect(banner).to_contain_text(reason)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "cancelled")
    console.assert_clean()
