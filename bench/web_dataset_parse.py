"""Time and peak memory of validating a CSV upload: the careful reader against the fast one.

    .venv/bin/python bench/web_dataset_parse.py [--mb 10 100] [--keep]

Writes one file per size (8 float columns, an integer column, 3 text columns) and reads each in
a fresh process per reader, so that peak memory is that reader's alone:
- `careful`: modelbuilder.datasets.csv_reader.read_csv (Python's csv, row by row; the old reader),
- `fast`: modelbuilder.datasets.parsing.read_csv(keep_arrays=False), what the upload does now,
- `fast+arrays` (with --keep): parsing.read_csv(), what the training worker does.
Then the same file with one empty cell at 90 % of its length: the careful reader against
parsing.read_csv (fast path declines, csv_diagnose names the cell); both must give the same error.
CPU seconds count every thread; peak memory is the rise of the process's peak RSS over its RSS
before the read, after a warm-up read of a tiny file (so pyarrow's C++ buffers count too).
sha256 is timed as the upload computes it.
A benchmark, never a timed test.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = "f0,f1,f2,f3,f4,f5,f6,f7,count,grade,species,color\n"


def write_csv(path: Path, megabytes: float, seed: int = 0) -> int:
    """Numeric and categorical columns until the file reaches `megabytes`; returns the rows."""
    rng = np.random.default_rng(seed)
    colors = [f"color{i}" for i in range(12)]
    rows, size = 0, 0
    with open(path, "w") as f:
        f.write(HEADER)
        while size < megabytes * 1e6:
            n = 10_000
            x = rng.normal(size=(n, 8)) * 100
            extra = zip(
                rng.integers(0, 10, n),
                rng.choice(["A", "B", "C", "D"], n),
                rng.choice(["cat", "dog", "bird"], n),
                rng.choice(colors, n),
                strict=True,
            )
            text = "".join(
                ",".join(f"{v:.6g}" for v in row) + f",{k},{g},{s},{c}\n"
                for row, (k, g, s, c) in zip(x, extra, strict=True)
            )
            f.write(text)
            size, rows = size + len(text), rows + n
    return rows


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(reader: str, path: str) -> None:
    """One read in this process; prints a JSON line."""
    from modelbuilder.datasets import csv_reader, parsing

    read = {
        "careful": csv_reader.read_csv,
        "fast": lambda p: parsing.read_csv(p, keep_arrays=False),
        "fast+arrays": parsing.read_csv,
    }[reader]
    # A warm-up read of a tiny file: code pages and thread pools, loaded once per server process,
    # are not the cost of this file.
    tiny = Path(path).with_suffix(".tiny.csv")
    tiny.write_text("a,b\n1,x\n2,y\n")
    read(tiny)
    before = _rss_kb("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    try:
        _, schema = read(Path(path))
        error = None
    except parsing.DatasetInvalid as exc:
        schema, error = None, [exc.message, exc.line, exc.column]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _rss_kb("VmHWM") - before
    result = {"wall": wall, "cpu": cpu, "peak_mb": peak / 1e3, "schema": schema, "error": error}
    print(json.dumps(result))


def _run(reader: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", reader, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _spoil(path: Path) -> Path:
    """A copy with the 4th cell of the line at 90 % of the file emptied."""
    data = path.read_bytes()
    start = data.index(b"\n", int(len(data) * 0.9)) + 1
    end = data.index(b"\n", start)
    cells = data[start:end].split(b",")
    cells[3] = b""
    bad = path.with_suffix(".bad.csv")
    bad.write_bytes(data[:start] + b",".join(cells) + data[end:])
    return bad


def _line(reader: str, r: dict, size: float) -> str:
    return (
        f"  {reader:12} {r['wall']:6.2f} s wall {r['cpu']:6.2f} s CPU "
        f"({size / r['cpu']:6.1f} MB/s)  peak +{r['peak_mb']:6.1f} MB "
        f"({r['peak_mb'] / size:.2f}x the file)"
    )


def _same(a: dict, b: dict) -> bool:
    """Schemas equal, mean/std to 1e-9 relative."""
    if {k: v for k, v in a.items() if k != "columns"} != {
        k: v for k, v in b.items() if k != "columns"
    }:
        return False
    for x, y in zip(a["columns"], b["columns"], strict=True):
        for key in set(x) | set(y):
            if key in ("mean", "std"):
                if not np.isclose(x.get(key), y.get(key), rtol=1e-9, atol=1e-12):
                    return False
            elif x.get(key) != y.get(key):
                return False
    return True


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="+", default=[10, 100])
    parser.add_argument("--keep", action="store_true", help="also time the training read")
    args = parser.parse_args()
    readers = ["careful", "fast"] + (["fast+arrays"] if args.keep else [])
    folder = Path(tempfile.mkdtemp())
    for megabytes in args.mb:
        path = folder / f"{megabytes:g}mb.csv"
        rows = write_csv(path, megabytes)
        size = path.stat().st_size / 1e6
        start = time.perf_counter()
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        sha = time.perf_counter() - start
        print(f"{size:.1f} MB, {rows} rows x 12 columns (sha256 {sha:.2f} s):")
        results = {reader: _run(reader, path) for reader in readers}
        for reader, r in results.items():
            assert r["schema"]["rows"] == rows
            print(_line(reader, r, size))
        careful = results["careful"]
        for reader in readers[1:]:
            same = _same(results[reader]["schema"], careful["schema"])
            print(
                f"  {reader} vs careful: {careful['cpu'] / results[reader]['cpu']:.1f}x less CPU, "
                f"same schema: {same}"
            )
        bad = _spoil(path)
        path.unlink()
        print("  the same file with one empty cell at 90 %:")
        spoiled = {reader: _run(reader, bad) for reader in ("careful", "fast")}
        for reader, r in spoiled.items():
            print(_line(reader, r, size))
        careful, fast = spoiled["careful"], spoiled["fast"]
        print(
            f"  fast vs careful: {careful['cpu'] / fast['cpu']:.1f}x less CPU, "
            f"same error: {fast['error'] == careful['error'] is not None} ({careful['error'][0]})"
        )
        bad.unlink()


if __name__ == "__main__":
    main()
