"""The single-page app is served from frontend/dist, with a plain page when it is not built."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def dist(tmp_path, settings):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root>spa-index</div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('spa')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


def test_index_is_served_at_root_and_for_client_side_routes(client, dist):
    for path in ["/", "/designs/3", "/runs/7/live"]:
        response = client.get(path)
        assert response.status_code == 200
        assert b"spa-index" in response.content
        assert response["Cache-Control"] == "no-cache"
    assert "csrftoken" in client.cookies


def test_build_files_are_served_and_assets_cached(client, dist):
    asset = client.get("/assets/index-abc123.js")
    assert asset.status_code == 200
    assert b"".join(asset.streaming_content) == b"console.log('spa')"
    assert "immutable" in asset["Cache-Control"]
    assert client.get("/favicon.svg").status_code == 200
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/assets/../index.html").status_code == 404


def test_api_and_admin_are_not_swallowed_by_the_spa(client, dist):
    assert client.get("/api/nothing-here").json()["error"]["code"] == "not_found"
    assert client.get("/admin/login/").status_code == 200


def test_without_a_build_the_root_says_how_to_build(client, tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path / "nothing"
    response = client.get("/")
    assert response.status_code == 200
    assert b"make run" in response.content
