from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine import layers, models

pytestmark = pytest.mark.django_db


@pytest.fixture
def h5_bytes(tmp_path):
    model = models.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu", name="hidden"),
                               layers.Dense(3, activation="softmax", name="out")])
    path = tmp_path / "m.h5"
    model.save(path)
    return Path(path).read_bytes()


def upload(client, name, content):
    return client.post("/api/designs/import-h5", {"file": SimpleUploadedFile(name, content)})


def test_an_h5_file_gives_its_model_config_without_weights(alice, h5_bytes):
    response = upload(alice, "m.h5", h5_bytes)
    assert response.status_code == 200, response.content
    config = response.json()["model_config"]
    assert config["class_name"] == "Sequential"
    names = [layer["config"]["name"] for layer in config["config"]["layers"]]
    assert names[-2:] == ["hidden", "out"]


def test_a_file_that_is_not_hdf5_is_a_clear_400(alice):
    response = upload(alice, "notes.h5", b"hello, not a model")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_model_file" and "notes.h5" in error["message"]
    assert "/tmp" not in error["message"]  # the server's temporary path is not leaked


def test_weights_only_files_say_so(alice, tmp_path):
    model = models.Sequential([layers.Input((2,)), layers.Dense(1)])
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    response = upload(alice, "w.weights.h5", path.read_bytes())
    assert response.status_code == 400 and "model_config" in response.json()["error"]["message"]


def test_anonymous_cannot_import(anon, h5_bytes):
    assert upload(anon, "m.h5", h5_bytes).status_code == 401


def test_the_keras_fixture_files_import(alice):
    shared = Path(__file__).resolve().parents[3].parent / "shared" / "keras-h5" / "public"
    files = sorted(shared.glob("*.h5")) if shared.is_dir() else []
    if not files:
        pytest.skip("shared/keras-h5 fixtures are not beside the repository")
    for f in files:
        response = upload(alice, f.name, f.read_bytes())
        assert response.status_code == 200, (f.name, response.content)
        assert response.json()["model_config"]["class_name"] in ("Sequential", "Functional")
