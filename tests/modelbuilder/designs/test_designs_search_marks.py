"""Search marks (`node.search`, docs/contracts.md) are stored with a design and its versions as sent,
and do not change its validation."""

import pytest

pytestmark = pytest.mark.django_db

MARKS = {
    "units": {"type": "choice", "values": [4, 8]},
    "activation": {"type": "choice", "values": ["relu", "tanh"]},
}


def test_marks_are_saved_versioned_and_ignored_by_validation(alice, mb):
    plain = mb.mlp_graph()
    marked = mb.mlp_graph()
    marked["nodes"][1]["search"] = MARKS
    created = alice.post(
        "/api/designs", {"name": "m", "graph": marked}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    design = created.json()
    assert design["graph"] == marked
    assert (
        design["validation"]
        == alice.post(
            "/api/designs/validate", {"graph": plain}, content_type="application/json"
        ).json()
    )
    url = f"/api/designs/{design['id']}"
    assert alice.get(url).json()["graph"]["nodes"][1]["search"] == MARKS
    # Removing the marks is a new version; the old one still has them.
    alice.put(url, {"graph": plain}, content_type="application/json")
    versions = alice.get(f"{url}/versions").json()
    assert [v["graph"]["nodes"][1].get("search") for v in versions] == [None, MARKS]
