"""Time ``engine.graph.validate`` on a 50-node graph (the editor calls it on every change; target < 20 ms).

Usage: python -m bench.bench_validate [--reps 200]

The graph: an image branch (Conv2D/BatchNormalization/MaxPooling2D blocks, Flatten), a sequence branch
(Embedding, LSTM, GRU) and a tabular branch (Dense blocks with a shared Dense), concatenated into a Dense
head — 50 nodes, every family the editor offers. Prints the median and 95th percentile over ``reps`` calls.
"""

from __future__ import annotations

import argparse
import statistics
import time

from engine.catalog import load_layers
from engine.graph import validate


def fifty_node_graph() -> dict:
    nodes, edges = [], []

    def add(nid, layer, after=None, shared_with=None, **params):
        node = {"id": nid, "layer": layer, "params": params}
        if shared_with:
            node["shared_with"] = shared_with
        nodes.append(node)
        for src in ([after] if isinstance(after, str) else after or []):
            edges.append({"source": src, "target": nid})
        return nid

    x = add("img", "Input", shape=[32, 32, 3])
    for b in range(4):
        x = add(f"conv{b}a", "Conv2D", x, filters=8 * (b + 1), kernel_size=3, padding="same", activation="relu")
        x = add(f"bn{b}", "BatchNormalization", x)
        x = add(f"conv{b}b", "Conv2D", x, filters=8 * (b + 1), kernel_size=3, padding="same", activation="relu")
        x = add(f"pool{b}", "MaxPooling2D", x, pool_size=2)
        x = add(f"drop{b}", "Dropout", x, rate=0.1)
    img = add("flat", "Flatten", x)  # 22 nodes
    s = add("tokens", "Input", shape=[20], dtype="int32")
    s = add("emb", "Embedding", s, input_dim=1000, output_dim=32)
    s = add("lstm", "LSTM", s, units=32, return_sequences=True)
    s = add("sdrop", "Dropout", s, rate=0.2)
    s = add("gru", "GRU", s, units=16)
    seq = add("sdense", "Dense", s, units=16, activation="relu")  # 28
    t = add("tab", "Input", shape=[12])
    t1 = add("t1", "Dense", t, units=64, activation="relu")
    t2 = add("t2", "Dense", t1, units=64, activation="relu")
    t3 = add("t3", "Dense", t2, units=64, activation="relu", shared_with="t2")
    t4 = add("tadd", "Add", [t2, t3])
    t5 = add("tbn", "BatchNormalization", t4)
    tab = add("tdrop", "Dropout", t5, rate=0.3)  # 35
    x = add("cat", "Concatenate", [img, seq, tab])
    x = add("catbn", "BatchNormalization", x)
    for i in range(6):
        x = add(f"h{i}", "Dense", x, units=128 // (i + 1), activation="relu")
        x = add(f"hd{i}", "Dropout", x, rate=0.1)
    add("out", "Dense", x, units=10, activation="softmax")
    assert len(nodes) == 50, len(nodes)
    return {"nodes": nodes, "edges": edges}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args(argv)
    load_layers()
    graph = fifty_node_graph()
    result = validate(graph)
    if not result["ok"]:
        raise SystemExit(f"the benchmark graph is invalid: {result['errors']}")
    for _ in range(5):
        validate(graph)
    wall, cpu = [], []
    for _ in range(args.reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        validate(graph)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    print(f"validate: {len(graph['nodes'])} nodes, {len(graph['edges'])} edges, "
          f"{result['total_params']:,} params, memory estimate {result['memory_bytes'] / 2**20:.1f} MiB")
    for label, times in (("wall", sorted(wall)), ("cpu ", sorted(cpu))):
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{label}: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, min {times[0]:.2f} ms over "
              f"{args.reps} calls (target < 20 ms; wall time includes waiting for a busy CPU)")


if __name__ == "__main__":
    main()
