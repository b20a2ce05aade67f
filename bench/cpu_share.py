"""Runs training at the same time on one machine: every core for each vs each its share of the cores.

Usage: python -m bench.cpu_share [--runs 2] [--workload mlp] [--epochs 3]

Starts ``--runs`` processes that train the workload at the same moment, twice: first each with the default
threads (one BLAS thread per core, what a worker process had before), then each holding a training slot and
taking its share through ``modelbuilder.training.cpu_share`` (what a CPU run does in the worker). Prints the
training samples/s of each process and their sum. See docs/deployment.md ("Threads per run").
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time

BATCH = {"mlp": 128, "cnn": 64, "lstm": 64}


def child(mode: str, name: str, epochs: int, start_at: float) -> None:
    import numpy  # noqa: F401,PLC0415 - BLAS loaded before the limits are read

    from bench import workloads as W  # noqa: PLC0415
    from modelbuilder.training import cpu_share  # noqa: PLC0415

    batch = BATCH[name]
    x, y = W.data(name, batch * 30)
    model = W.engine_model(name)
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, epochs=1, verbose=0)  # compiled, warm
    share = mode == "share"
    with cpu_share.training_slot() if share else contextlib.nullcontext():
        time.sleep(max(0.0, start_at - time.time()))  # every process holds its slot before any trains
        callbacks = [cpu_share.cpu_share_callback()] if share else []
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=callbacks)
        print(f"{epochs * len(x) / (time.perf_counter() - start):.0f}", flush=True)


def run(mode: str, runs: int, name: str, epochs: int) -> list[float]:
    start_at = time.time() + 8.0  # after every process has loaded and warmed up
    cmd = [sys.executable, "-m", "bench.cpu_share", "--child", mode, "--workload", name, "--epochs", str(epochs),
           "--start-at", str(start_at)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(runs)]
    return [float(p.communicate()[0].split()[-1]) for p in procs]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workload", default="mlp", choices=sorted(BATCH))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--child", choices=("default", "share"), help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.workload, args.epochs, args.start_at)
        return
    print(f"{args.runs} runs of the {args.workload} workload training at once; training samples/s per run")
    for mode, label in (("default", "every core each (default BLAS threads)"), ("share", "each its share")):
        rates = run(mode, args.runs, args.workload, args.epochs)
        print(f"{label:40} {' '.join(f'{r:8.0f}' for r in rates)}   total {sum(rates):8.0f}")


if __name__ == "__main__":
    main()
