"""The home page shows every part green and a live message pushed by a Celery task."""

import json

from playwright.sync_api import expect

PARTS = ["database", "redis", "worker", "engine"]


def test_home_page_shows_health_and_the_worker_message_arrives(page, live_server_url):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_server_url + "/")

    for part in PARTS:
        expect(page.locator(f"[data-testid=health-{part}]")).to_have_attribute("data-ok", "true")
    expect(page.get_by_test_id("health-live-message")).to_have_text(
        "pong from the worker", timeout=30_000
    )
    assert errors == []


def test_the_page_state_matches_the_health_endpoint(page, live_server_url):
    response = page.request.get(live_server_url + "/api/health")
    body = json.loads(response.text())

    assert response.status == 200
    assert all(body[part]["ok"] for part in PARTS)
