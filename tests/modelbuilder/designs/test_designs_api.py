"""Designs: CRUD with validation on every save, drafts, versions, validate, layers, ownership."""

import pytest

from modelbuilder.designs.models import Design, DesignVersion

pytestmark = pytest.mark.django_db


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def broken_graph(mb, kind: str) -> tuple[dict, str | None]:
    """A graph with one kind of error, and the node the error must name (None: graph-level)."""
    g = mb.mlp_graph()
    nodes, edges = g["nodes"], g["edges"]
    if kind == "unknown_layer":
        nodes[1]["layer"] = "NoSuchLayer"
        return g, "d1"
    if kind == "bad_param":
        nodes[1]["params"]["units"] = 0
        return g, "d1"
    if kind == "duplicate_id":
        nodes.append({"id": "d1", "layer": "Dense", "params": {"units": 2}})
        return g, "d1"
    if kind == "dangling_edge":
        edges.append({"source": "out", "target": "ghost"})
        return g, "out"
    if kind == "cycle":
        edges.append({"source": "out", "target": "d1"})
        return g, None
    if kind == "no_input":
        edges[:] = [e for e in edges if e["source"] != "in"]
        return g, "d1"
    if kind == "merge_arity":
        nodes.append({"id": "add", "layer": "Add", "params": {}})
        edges.append({"source": "out", "target": "add"})
        return g, "add"
    if kind == "shape":
        nodes[0]["params"]["shape"] = [4, 4, 3]
        nodes.insert(1, {"id": "c", "layer": "Conv2D", "params": {"filters": 2, "kernel_size": 9}})
        edges[0] = {"source": "in", "target": "c"}
        edges.append({"source": "c", "target": "d1"})
        return g, "c"
    if kind == "no_input_node":
        del nodes[0]
        edges.pop(0)
        return g, None
    raise AssertionError(kind)


ERROR_KINDS = [
    "unknown_layer",
    "bad_param",
    "duplicate_id",
    "dangling_edge",
    "cycle",
    "no_input",
    "merge_arity",
    "shape",
    "no_input_node",
]


def test_validate_answers_shapes(alice, mb):
    body = post_json(alice, "/api/designs/validate", {"graph": mb.mlp_graph()}).json()
    assert body["ok"] is True and body["errors"] == []
    assert body["shapes"] == {"in": [None, 4], "d1": [None, 8], "out": [None, 3]}
    assert body["total_params"] == 4 * 8 + 8 + 8 * 3 + 3


@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_validate_reports_each_kind_of_error(alice, mb, kind):
    graph, node = broken_graph(mb, kind)
    body = post_json(alice, "/api/designs/validate", {"graph": graph}).json()
    assert body["ok"] is False and body["errors"], body
    if node is not None:
        assert node in {e["node"] for e in body["errors"]}, body["errors"]


@pytest.mark.parametrize(
    "graph",
    [
        [],
        "x",
        {"nodes": "x"},
        {"nodes": [1]},
        {"nodes": [{"id": 1, "layer": "Dense"}], "edges": []},
        {"nodes": [], "edges": [{"source": "a"}]},
        {"nodes": [{"id": "a\x00", "layer": "Input", "params": {}}], "edges": []},
        {"nodes": [{"id": "a", "layer": "Dropout", "params": {"rate": float("nan")}}], "edges": []},
    ],
)
def test_not_a_graph_is_4xx(alice, mb, graph):
    for response in (
        post_json(alice, "/api/designs/validate", {"graph": graph}),
        post_json(alice, "/api/designs", {"name": "x", "graph": graph}),
    ):
        assert 400 <= response.status_code < 500
        mb.assert_error(response, response.status_code)
    assert Design.objects.count() == 0


def test_create_get_update_delete_with_versions(alice, mb):
    created = post_json(alice, "/api/designs", {"name": "mlp", "graph": mb.mlp_graph()})
    assert created.status_code == 201
    design = created.json()
    assert design["validation"]["ok"] is True and design["version"] == 1
    wider = mb.mlp_graph(hidden=16)
    updated = post_json(alice, f"/api/designs/{design['id']}", {"graph": wider}, "put").json()
    assert updated["version"] == 2 and updated["validation"]["shapes"]["d1"] == [None, 16]
    renamed = post_json(alice, f"/api/designs/{design['id']}", {"name": "mlp2"}, "put").json()
    assert renamed["name"] == "mlp2" and renamed["graph"] == wider
    versions = alice.get(f"/api/designs/{design['id']}/versions").json()
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert versions[-1]["graph"] == mb.mlp_graph() and versions[-1]["name"] == "mlp"
    assert [d["id"] for d in alice.get("/api/designs").json()] == [design["id"]]
    assert alice.get(f"/api/designs/{design['id']}").json()["name"] == "mlp2"
    assert alice.delete(f"/api/designs/{design['id']}").status_code == 204
    mb.assert_error(alice.get(f"/api/designs/{design['id']}"), 404, "not_found")
    assert DesignVersion.objects.count() == 0


@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_a_draft_with_errors_is_saved_with_its_validation(alice, mb, kind):
    graph, node = broken_graph(mb, kind)
    response = post_json(alice, "/api/designs", {"name": "draft", "graph": graph})
    assert response.status_code == 201
    validation = response.json()["validation"]
    assert validation["ok"] is False and validation["errors"]


def test_bad_name_is_400(alice, mb):
    mb.assert_error(post_json(alice, "/api/designs", {"name": " ", "graph": mb.mlp_graph()}), 400)
    assert Design.objects.count() == 0


@pytest.mark.parametrize(
    "method, suffix, body",
    [
        ("get", "", None),
        ("put", "", {"name": "stolen"}),
        ("delete", "", None),
        ("get", "/versions", None),
    ],
)
def test_another_user_gets_404_and_anonymous_401(alice, bob, anon, mb, method, suffix, body):
    design_id = post_json(alice, "/api/designs", {"name": "mine", "graph": mb.mlp_graph()}).json()[
        "id"
    ]
    url = f"/api/designs/{design_id}{suffix}"
    kwargs = {"data": body, "content_type": "application/json"} if body else {}
    mb.assert_error(getattr(bob, method)(url, **kwargs), 404, "not_found")
    mb.assert_error(getattr(anon, method)(url, **kwargs), 401, "unauthorized")
    assert Design.objects.get(pk=design_id).name == "mine"
    assert bob.get("/api/designs").json() == []


def test_anonymous_cannot_list_create_validate_or_read_layers(anon, mb):
    mb.assert_error(anon.get("/api/designs"), 401)
    mb.assert_error(post_json(anon, "/api/designs", {"name": "x", "graph": mb.mlp_graph()}), 401)
    mb.assert_error(post_json(anon, "/api/designs/validate", {"graph": mb.mlp_graph()}), 401)
    mb.assert_error(anon.get("/api/layers"), 401)


def test_layers_is_the_engine_catalog(alice):
    import engine

    body = alice.get("/api/layers").json()
    assert body == {"layers": engine.catalog()}
    names = {layer["name"] for layer in body["layers"]}
    assert {"Input", "Dense"} <= names


def test_names_lose_characters_no_database_can_store(alice, mb):
    body = {"name": "a\ud800\x00b", "graph": mb.mlp_graph()}
    response = post_json(alice, "/api/designs", body)
    assert response.status_code == 201 and response.json()["name"] == "a?b"
    graph = mb.mlp_graph()
    graph["nodes"][1]["id"] = "d\ud800"
    mb.assert_error(post_json(alice, "/api/designs", {"name": "x", "graph": graph}), 400)
