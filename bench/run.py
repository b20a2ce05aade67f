"""Time the workloads in the engine and (when importable) PyTorch, interleaved, and print ratios.

Usage: python -m bench [--reps 5] [--workloads mlp,cnn,lstm] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench import workloads as W


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def engine_rates(name, x, y, batch):
    model = W.engine_model(name)
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, epochs=1, verbose=0, shuffle=False)  # warm-up
    train = _time(lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=True))
    model.predict(x[:batch], batch_size=batch, verbose=0)
    infer = _time(lambda: model.predict(x, batch_size=batch, verbose=0))
    return len(x) / train, len(x) / infer


def torch_rates(name, x, y, batch):
    import torch

    model, loss_fn, opt = W.torch_model(name)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if name == "cnn" else x)
    yt = torch.from_numpy(y)

    def epoch(train: bool):
        perm = torch.randperm(len(xt)) if train else torch.arange(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            if train:
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xt[idx]), yt[idx]).backward()
                opt.step()
            else:
                with torch.no_grad():
                    model(xt[idx])

    epoch(True)
    train = _time(lambda: epoch(True))
    infer = _time(lambda: epoch(False))
    return len(x) / train, len(x) / infer


def gemm_gflops(n=1024, reps=5) -> float:
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    a @ a
    best = min(_time(lambda: a @ a) for _ in range(reps))
    return 2 * n**3 / best / 1e9


def engine_peak_mb(name, x, y, batch) -> float:
    """Peak bytes numpy allocates during one training epoch of the engine (tracemalloc traces numpy)."""
    import tracemalloc

    model = W.engine_model(name)
    tracemalloc.start()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


HEADER = (f"{'workload':8} {'engine train':>13} {'torch train':>12} {'ratio':>6} "
          f"{'engine infer':>13} {'torch infer':>12} {'ratio':>6} {'engine peak MB':>15}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workloads", default="mlp,cnn,lstm")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(args.threads)
        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch is not importable: engine figures only (pip install torch==2.13.0 to compare).")

    from engine.backend import device_name

    gflops = gemm_gflops()
    print(f"device={device_name()} threads={args.threads} numpy float32 GEMM: {gflops:.0f} GFLOP/s")
    print(HEADER)
    for name in args.workloads.split(","):
        run_workload(name, args.reps, have_torch, gflops)
    print(f"(python -m bench --reps {args.reps} --threads {args.threads}; training and inference samples/s, "
          "medians; ratio = engine / PyTorch, the median of per-repetition ratios)")


def run_workload(name, reps, have_torch, gflops):
    spec = W.WORKLOADS[name]
    x, y = W.data(name, spec["n"])
    e_tr, e_in, t_tr, t_in = [], [], [], []
    for _ in range(reps):  # interleaved: a noisy neighbour hurts both sides alike
        tr, inf = engine_rates(name, x, y, spec["batch"])
        e_tr.append(tr)
        e_in.append(inf)
        if have_torch:
            tr, inf = torch_rates(name, x, y, spec["batch"])
            t_tr.append(tr)
            t_in.append(inf)
    med = statistics.median
    nan = float("nan")
    ratio_tr = med(a / b for a, b in zip(e_tr, t_tr)) if t_tr else nan
    ratio_in = med(a / b for a, b in zip(e_in, t_in)) if t_in else nan
    peak = engine_peak_mb(name, x[: spec["batch"] * 4], y[: spec["batch"] * 4], spec["batch"])
    print(f"{name:8} {med(e_tr):13,.0f} {med(t_tr) if t_tr else nan:12,.0f} {ratio_tr:6.2f} "
          f"{med(e_in):13,.0f} {med(t_in) if t_in else nan:12,.0f} {ratio_in:6.2f} {peak:15.1f}")
    if name == "mlp":
        flops = 6 * (784 * 512 + 512 * 256 + 256 * 10)  # forward 2 + backward 4 FLOPs per weight per sample
        print(f"         MLP training reaches {med(e_tr) * flops / 1e9 / gflops:.0%} of the GEMM peak")


if __name__ == "__main__":
    main()
