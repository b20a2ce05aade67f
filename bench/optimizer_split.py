"""Where splitting Adam's flat update over two threads starts to pay: the crossover behind
``engine.optimizers.split.SPLIT_MIN``.

Usage: python -m bench.optimizer_split [--threads 2] [--rounds 15] [--steps 20]

For each flat buffer size, one float32 variable of that size is updated by Adam (the fused numba pass, the
gradient copy included) on one slice and on one slice per thread, alternately, and the best time per step
of each is kept (the best of many short runs is what a quiet machine gives; on a shared machine the mean
mostly measures the neighbours). Wall clock: a split only helps elapsed time.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

from engine import optimizers
from engine.optimizers import split
from engine.variables import Variable

SIZES = [1 << k for k in range(12, 23)]  # 4K .. 4M elements (the models: 225K-673K)


def step_time(size: int, threads: int, steps: int, rounds: int, rng) -> float:
    var = Variable(rng.standard_normal(size).astype(np.float32), name="w")
    grad = rng.standard_normal(size).astype(np.float32)
    opt = optimizers.Adam()
    best = float("inf")
    with threadpool_limits(threads, user_api="blas"):
        opt.apply_gradients([(grad, var)])  # build + warm-up (numba compile, the thread pool)
        assert len(opt._flat["chunks"]) == threads
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(steps):
                opt.apply_gradients([(grad, var)])
            best = min(best, (time.perf_counter() - start) / steps)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args(argv)
    # split every size; the table says where it pays (set where split_parts reads it, not the package's copy)
    current, split.SPLIT_MIN = split.SPLIT_MIN, 0
    rng = np.random.default_rng(0)
    print(f"Adam flat step, float32, best of {args.rounds} x {args.steps} steps, wall clock "
          f"(load average {' '.join(f'{v:.1f}' for v in os.getloadavg())})")
    print(f"{'elements':>10} {'1 thread us':>12} {f'{args.threads} threads us':>13} {'speed-up':>9}")
    crossover = None
    for size in SIZES:
        one = two = float("inf")
        for _ in range(2):  # alternate so that a noisy moment hurts both
            one = min(one, step_time(size, 1, args.steps, args.rounds, rng))
            two = min(two, step_time(size, args.threads, args.steps, args.rounds, rng))
        gain = one / two
        if gain > 1.1 and crossover is None:
            crossover = size
        elif gain <= 1.1:
            crossover = None
        print(f"{size:10,d} {one * 1e6:12.1f} {two * 1e6:13.1f} {gain:9.2f}", flush=True)
    print(f"smallest size from which the split is >10% faster at every larger size: "
          f"{crossover if crossover else 'none'} (engine.optimizers.split.SPLIT_MIN = {current})")


if __name__ == "__main__":
    main()
