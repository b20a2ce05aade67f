"""Rows on threads against the serial step, per workload: the figures behind ``engine.parallel.rows_pay_off``.

Usage: python -m bench.rows_on_threads [--threads 2] [--reps 7] [--workloads mlp,cnn,lstm]

In one process, alternately (serial, then rows on threads, repeated), the same model:

- fit: the serial step (every BLAS thread) vs the batch split into shards on threads (``engine.models.sharded``),
  forced on even where ``rows_pay_off`` says no, so the table shows why it says no;
- predict: batches one after another vs batches on threads;
- evaluate: batches one after another vs their forward passes on threads (loss and metrics in order).

Prints, per workload, the speed-up (serial time / threaded time; > 1: threads win) as the ratio of the medians
and of the bests, and what ``rows_pay_off`` decides for it. Wall clock; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from bench import workloads as W
from engine import parallel
from engine.models import sharded

BATCH = {"mlp": 128, "cnn": 64, "lstm": 64, "gru": 64}
BATCHES = 16


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _modes(threads: int):
    """(name, patches) for the serial and the threaded mode: what each path is forced to."""
    serial = {(sharded, "train_shards"): lambda *a: 1, (sharded, "predict_workers"): lambda *a, **k: 1}
    forced = {(sharded, "train_shards"): lambda *a: threads, (sharded, "predict_workers"): lambda *a, **k: threads}
    return (("serial", serial), ("threads", forced))


def measure(name: str, reps: int, threads: int) -> dict:
    batch = BATCH[name]
    x, y = W.data(name, batch * BATCHES)
    model = W.engine_model(name)
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, epochs=1, verbose=0)
    pays = parallel.rows_pay_off(model, batch, ("bench",), lambda: sharded.outputs_per_row(model, [x[:batch]],
                                                                                            "single"))
    times = {(mode, what): [] for mode in ("serial", "threads") for what in ("fit", "predict", "evaluate")}
    for _ in range(reps):
        for mode, patches in _modes(threads):
            saved = {key: getattr(*key) for key in patches}
            for (module, attr), fn in patches.items():
                setattr(module, attr, fn)
            try:
                times[mode, "fit"].append(_timed(lambda: model.fit(x, y, batch_size=batch, verbose=0)))
                times[mode, "predict"].append(_timed(lambda: model.predict(x, batch_size=batch, verbose=0)))
                times[mode, "evaluate"].append(_timed(lambda: model.evaluate(x, y, batch_size=batch, verbose=0)))
            finally:
                for (module, attr), fn in saved.items():
                    setattr(module, attr, fn)
    out = {"pays": pays}
    for what in ("fit", "predict", "evaluate"):
        serial, threaded = times["serial", what], times["threads", what]
        out[what] = (statistics.median(serial) / statistics.median(threaded), min(serial) / min(threaded))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--workloads", default="mlp,cnn,lstm")
    args = parser.parse_args(argv)
    threadpool_limits(args.threads)  # numpy (and its BLAS) is loaded: the limit takes
    np.random.default_rng(0)
    print(f"threads={args.threads} reps={args.reps}; speed-up = serial time / rows-on-threads time "
          "(median ratio, best ratio)")
    print(f"{'workload':10}{'fit':>16}{'predict':>16}{'evaluate':>16}   rows_pay_off")
    for name in args.workloads.split(","):
        r = measure(name, args.reps, args.threads)
        cells = "".join(f"{r[w][0]:>9.2f} ({r[w][1]:.2f})" for w in ("fit", "predict", "evaluate"))
        print(f"{name:10}{cells}   {'yes' if r['pays'] else 'no (serial kept)'}")


if __name__ == "__main__":
    main()
