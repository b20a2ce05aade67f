"""Time and peak memory of validating a CSV upload (modelbuilder.datasets.parsing.read_csv).

    .venv/bin/python bench/web_dataset_parse.py [--rows 200000] [--cols 10]

A benchmark, never a timed test. Peak memory is Python's (tracemalloc) on a second, traced read.
"""

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modelbuilder.datasets.parsing import read_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--cols", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    path = Path(tempfile.mkdtemp()) / "big.csv"
    with open(path, "w") as f:
        f.write(",".join(f"f{i}" for i in range(args.cols)) + ",label\n")
        data = rng.normal(size=(args.rows, args.cols))
        labels = rng.choice(["cat", "dog", "bird"], size=args.rows)
        for row, label in zip(data, labels, strict=True):
            f.write(",".join(f"{v:.6g}" for v in row) + f",{label}\n")
    size = path.stat().st_size
    start, cpu_start = time.perf_counter(), time.process_time()
    _, schema = read_csv(path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    tracemalloc.start()  # a second read for memory: tracing slows everything down
    read_csv(path)
    peak = tracemalloc.get_traced_memory()[1]
    print(
        f"{args.rows} rows x {args.cols + 1} columns, {size / 1e6:.1f} MB: {seconds:.2f} s, "
        f"{size / 1e6 / seconds:.1f} MB/s, peak Python memory {peak / 1e6:.1f} MB "
        f"({peak / size:.2f}x the file); CPU time {cpu:.2f} s ({size / 1e6 / cpu:.1f} MB/s)"
    )
    assert schema["rows"] == args.rows


if __name__ == "__main__":
    main()
