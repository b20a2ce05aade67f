"""Time `POST /api/designs/validate` for a 50-node graph (target: under 20 ms), and the validator alone.

    .venv/bin/python bench/web_validate_design.py [--nodes 50] [--repeat 200]

Wall time and this process's CPU time (the latter is what the request costs on a shared, busy
machine). Runs the real Django stack (middleware, session auth, ninja, engine.graph.validate)
through the test client on a throw-away SQLite database. A benchmark, never a timed test.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def graph_of(n_nodes: int) -> dict:
    """Input, then blocks of Dense -> Dropout -> Dense(+skip Add) until n_nodes nodes."""
    nodes = [{"id": "in", "layer": "Input", "params": {"shape": [32]}}]
    edges, last, i = [], "in", 0
    while len(nodes) < n_nodes - 1:
        i += 1
        a, d, b, add = f"a{i}", f"drop{i}", f"b{i}", f"add{i}"
        nodes += [
            {"id": a, "layer": "Dense", "params": {"units": 32, "activation": "relu"}},
            {"id": d, "layer": "Dropout", "params": {"rate": 0.1}},
            {"id": b, "layer": "Dense", "params": {"units": 32}},
            {"id": add, "layer": "Add", "params": {}},
        ]
        edges += [
            {"source": last, "target": a},
            {"source": a, "target": d},
            {"source": d, "target": b},
            {"source": b, "target": add, "target_index": 0},
            {"source": last, "target": add, "target_index": 1},
        ]
        last = add
    while len(nodes) < n_nodes:
        nid = f"tail{len(nodes)}"
        nodes.append({"id": nid, "layer": "Dense", "params": {"units": 32, "activation": "relu"}})
        edges.append({"source": last, "target": nid})
        last = nid
    return {"nodes": nodes, "edges": edges}


def timings(fn, repeat: int, clock=time.perf_counter) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(repeat):
        start = clock()
        fn()
        out.append((clock() - start) * 1000)
    return out


def describe(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    return (
        f"{name:<32} median {statistics.median(ms):6.2f} ms   p95 {ms[int(len(ms) * 0.95)]:6.2f} ms"
        f"   max {ms[-1]:6.2f} ms   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="mb-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelbuilder.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from engine.graph import validate

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    client = Client()
    client.force_login(user)
    graph = graph_of(args.nodes)
    result = validate(graph)
    assert len(graph["nodes"]) == args.nodes
    print(
        f"graph: {args.nodes} nodes, {len(graph['edges'])} edges, ok={result['ok']}, "
        f"errors={result['errors'][:1]}"
    )

    def request():
        response = client.post(
            "/api/designs/validate", {"graph": graph}, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]

    print(describe("engine.graph.validate", timings(lambda: validate(graph), args.repeat)))
    print(describe("POST /api/designs/validate", timings(request, args.repeat)))
    # CPU time of this process: what the request costs, without waiting for a busy machine's cores.
    cpu = time.process_time
    print(describe("  same, CPU time", timings(request, args.repeat, cpu)))


if __name__ == "__main__":
    main()
