"""Train a tiny standardised run with a categorical feature, try it in the browser (form and pasted CSV),
and check the downloaded .h5 predicts the same raw rows as the page and the predict endpoint."""

import ast
import os
import re
import subprocess

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import base_url, console, screenshot, sign_up, upload_dataset  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

LABELS = np.array(["alpha", "beta", "gamma"])
COLORS = ["blue", "red"]  # one-hot in this (sorted) order: 2 numeric + 2 = the MLP template's 4 inputs


def make_csv(path, rows=400, seed=0):
    """Far from standardised numbers (f1 ~ 100 ± 20, f2 ~ -50 ± 5) and a colour decide the class."""
    rng = np.random.default_rng(seed)
    f1, f2 = rng.normal(100, 20, rows).round(3), rng.normal(-50, 5, rows).round(3)
    color = rng.choice(COLORS, rows)
    score = np.stack([(f1 - 100) / 20, (f2 + 50) / 5, np.where(color == "red", 0.8, -0.8)], axis=1)
    y = LABELS[np.argmax(score, axis=1)]
    lines = ["f1,f2,color,species"] + [f"{a},{b},{c},{s}" for a, b, c, s in zip(f1, f2, color, y, strict=True)]
    path.write_text("\n".join(lines) + "\n")


def encode(rows):
    """What the worker did before the model: features in order, colour one-hot (no scaling: the model does it)."""
    return np.array([[r["f1"], r["f2"], *(float(r["color"] == c) for c in COLORS)] for r in rows], dtype="float32")


def test_try_a_trained_model_and_use_the_download(page, base_url, console, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 1000})
    sign_up(page, base_url)
    make_csv(tmp_path / "colors.csv")
    upload_dataset(page, tmp_path / "colors.csv")

    page.goto(base_url + "/designs/new?template=mlp")
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    dialog = page.get_by_test_id("train-dialog")
    expect(dialog.get_by_test_id("train-target")).to_have_value("species")
    expect(dialog.get_by_test_id("train-preflight")).to_have_count(0)
    dialog.get_by_test_id("train-epochs").fill("15")
    dialog.get_by_test_id("train-lr").fill("0.01")
    dialog.get_by_test_id("train-standardize").check()
    dialog.get_by_test_id("train-submit").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=120_000)
    run_id = page.url.rsplit("/", 1)[1]

    # Use this model: the input order, the encoding, standardisation inside the model, the labels.
    use = page.get_by_test_id("use-model")
    expect(use.get_by_test_id("use-features")).to_contain_text("one-hot: blue, red")
    expect(use.get_by_test_id("use-standardization")).to_have_attribute("data-in-model", "true")
    expect(use.get_by_test_id("use-labels")).to_contain_text("alpha, beta, gamma")
    snippet = use.get_by_test_id("use-snippet").inner_text()
    assert 'CATEGORIES = {"color":["blue","red"]}' in snippet

    # Try it: one row through the form, a clear "beta" (f2 far above its mean).
    row = {"f1": 100.0, "f2": -30.0, "color": "blue"}
    page.get_by_test_id("try-field-f1").fill(str(row["f1"]))
    page.get_by_test_id("try-field-f2").fill(str(row["f2"]))
    page.get_by_test_id("try-field-color").select_option(row["color"])
    page.get_by_test_id("try-predict").click()
    shown = page.get_by_test_id("try-prediction")
    expect(shown).to_have_count(1)
    expect(shown).to_have_text("beta")
    bars = page.get_by_test_id("try-probability")
    expect(bars).to_have_count(3)
    page_probs = {bars.nth(i).get_attribute("data-label"): float(bars.nth(i).get_attribute("data-value"))
                  for i in range(3)}
    screenshot(page, "try-model")

    # Paste CSV rows (with the target column, which is ignored).
    csv_rows = [{"f1": 140.0, "f2": -50.0, "color": "blue"}, {"f1": 90.0, "f2": -52.0, "color": "red"}, row]
    page.get_by_test_id("try-mode-csv").click()
    page.get_by_test_id("try-csv").fill("species,f1,f2,color\n" + "\n".join(
        f"?,{r['f1']},{r['f2']},{r['color']}" for r in csv_rows))
    page.get_by_test_id("try-predict").click()
    expect(page.get_by_test_id("try-prediction")).to_have_count(3)
    labels_shown = page.get_by_test_id("try-prediction").all_inner_texts()

    # The endpoint, and the downloaded file fed raw rows, agree with the page.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    api = page.request.post(f"{base_url}/api/runs/{run_id}/predict", data={"rows": csv_rows},
                            headers={"X-CSRFToken": csrf, "Referer": base_url + "/"})
    assert api.ok, api.text()
    predictions = api.json()["predictions"]
    assert [p["label"] for p in predictions] == labels_shown
    with page.expect_download() as download:
        page.get_by_test_id("run-download").click()
    path = tmp_path / "model.h5"
    download.value.save_as(path)
    from engine.models import load_model

    model = load_model(str(path))
    assert type(model.layers[1]).__name__ == "Normalization"
    probs = np.asarray(model.predict(encode(csv_rows), verbose=0))
    np.testing.assert_allclose(probs, [list(p["probabilities"].values()) for p in predictions], rtol=1e-5, atol=1e-6)
    assert list(LABELS[probs.argmax(axis=1)]) == labels_shown
    np.testing.assert_allclose(probs[2], [page_probs[label] for label in LABELS], rtol=1e-5, atol=1e-6)
    assert labels_shown[0] == "alpha"  # f1 two std above its mean: the model learned the raw scale's rule

    # Optional: real Keras runs the page's snippet on the download and prints the endpoint's answer
    # for the snippet's example row.
    keras_python = os.environ.get("KERAS_PYTHON")
    if keras_python:
        example = ast.literal_eval(re.search(r"^row = (\{.*\})$", snippet, re.M).group(1))
        expected = page.request.post(f"{base_url}/api/runs/{run_id}/predict", data={"rows": [example]},
                                     headers={"X-CSRFToken": csrf, "Referer": base_url + "/"}).json()
        script = re.sub(r'load_model\("[^"]*"', f"load_model({str(path)!r}", snippet)
        script += "print('PROBS', y.tolist())\n"
        out = subprocess.run([keras_python, "-c", script], capture_output=True, text=True, timeout=300,
                             env={**os.environ, "KERAS_BACKEND": "torch"})
        assert out.returncode == 0, out.stderr[-2000:]
        first, probs_line = out.stdout.strip().splitlines()[-2:]
        assert first.split()[0] == expected["predictions"][0]["label"], out.stdout
        np.testing.assert_allclose(ast.literal_eval(probs_line.removeprefix("PROBS ")),
                                   list(expected["predictions"][0]["probabilities"].values()), rtol=1e-5, atol=1e-6)
        print("keras ran the snippet:", first)
    console.assert_clean()
