"""Time the workloads in the engine and (when importable) PyTorch, interleaved, and print ratios.

Usage: python -m bench [--reps 5] [--workloads mlp,cnn,lstm[,gru,lstm_masked]] [--threads 2] [--clock wall|cpu]
                       [--device cpu|gpu] [--batches 128,512]

See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench import workloads as W

_clock = {"fn": time.perf_counter, "sync": lambda: None}


def _time(fn) -> float:
    _clock["sync"]()
    start = _clock["fn"]()
    fn()
    _clock["sync"]()
    return _clock["fn"]() - start


def engine_rates(name, x, y, batch):
    model = W.engine_model(name)
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, epochs=1, verbose=0, shuffle=False)  # warm-up
    train = _time(lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=True))
    model.predict(x[:batch], batch_size=batch, verbose=0)
    infer = _time(lambda: model.predict(x, batch_size=batch, verbose=0))
    return len(x) / train, len(x) / infer


def torch_rates(name, x, y, batch, device="cpu"):
    import torch

    model, loss_fn, opt = W.torch_model(name)
    model.to(device)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if name == "cnn" else x).to(device)
    yt = torch.from_numpy(y).to(device)

    def epoch(train: bool):
        perm = torch.randperm(len(xt), device=device) if train else torch.arange(len(xt), device=device)
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
    from engine.backend import get_xp  # noqa: PLC0415

    xp = get_xp()
    a = xp.asarray(np.random.default_rng(0).standard_normal((n, n), dtype=np.float32))
    a @ a
    best = min(_time(lambda: a @ a) for _ in range(reps))
    return 2 * n**3 / best / 1e9


def engine_peak_mb(name, x, y, batch) -> float:
    """Peak bytes numpy allocates during one training epoch of the engine (tracemalloc traces numpy).
    On the GPU: cupy's memory pool high-water mark is not tracked by tracemalloc, so the pool's total."""
    import tracemalloc

    from engine.backend import device_name  # noqa: PLC0415

    model = W.engine_model(name)
    if device_name() == "gpu":
        import cupy  # noqa: PLC0415

        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        return cupy.get_default_memory_pool().total_bytes() / 2**20
    tracemalloc.start()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


HEADER = (f"{'workload':11} {'batch':>5} {'engine train':>13} {'torch train':>12} {'ratio':>6} "
          f"{'engine infer':>13} {'torch infer':>12} {'ratio':>6} {'engine peak MB':>15}")


def _limit_threads(threads: int, have_torch: bool) -> None:
    """The same thread count for numpy's BLAS (threadpoolctl) and PyTorch's intra-op pool."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415

        threadpool_limits(threads)
    except ImportError:
        print("threadpoolctl is not importable: numpy's BLAS uses its default thread count "
              "(set OPENBLAS_NUM_THREADS to match --threads).")
    if have_torch:
        import torch  # noqa: PLC0415

        torch.set_num_threads(threads)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workloads", default="mlp,cnn,lstm")
    parser.add_argument("--threads", type=int, default=2, help="BLAS and PyTorch threads (CPU)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed seconds; cpu: this process's CPU seconds (all threads), steadier "
                             "on a busy machine, meaningful with --threads 1")
    parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                        help="gpu: the engine on cupy and PyTorch on CUDA")
    parser.add_argument("--batches", default=None,
                        help="comma-separated batch sizes (default: the issue's per workload on the CPU, "
                             "128,512 on the GPU)")
    args = parser.parse_args(argv)
    try:
        import torch

        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch is not importable: engine figures only (pip install torch==2.13.0 to compare).")
    _limit_threads(args.threads, have_torch)

    from engine.backend import device_name, set_device

    set_device(args.device)
    torch_device = "cpu"
    if args.device == "gpu":
        import cupy  # noqa: PLC0415

        def sync():
            cupy.cuda.Device().synchronize()
            if have_torch and torch.cuda.is_available():
                torch.cuda.synchronize()

        _clock["sync"] = sync
        if have_torch and not torch.cuda.is_available():
            print("PyTorch has no CUDA device here: engine figures only.")
            have_torch = False
        torch_device = "cuda"
    if args.clock == "cpu":
        _clock["fn"] = time.process_time
    gflops = gemm_gflops()
    print(f"device={device_name()} threads={args.threads} clock={args.clock} float32 GEMM (1024^3): "
          f"{gflops:.0f} GFLOP/s")
    print(HEADER)
    batches = [int(b) for b in args.batches.split(",")] if args.batches else \
        ([128, 512] if args.device == "gpu" else [None])
    for name in args.workloads.split(","):
        for batch in batches:
            run_workload(name, args.reps, have_torch, gflops, batch, torch_device)
    extra = "" if args.device == "cpu" else f" --device {args.device}"
    print(f"(python -m bench --reps {args.reps} --threads {args.threads} --clock {args.clock}{extra}; training and "
          "inference samples/s, medians; ratio = engine / PyTorch, the median of per-repetition ratios)")


def run_workload(name, reps, have_torch, gflops, batch=None, torch_device="cpu"):
    spec = W.WORKLOADS[name]
    batch = batch or spec["batch"]
    n = spec["n"] if batch == spec["batch"] else batch * max(8, spec["n"] // spec["batch"])
    x, y = W.data(name, n)
    versus = spec.get("versus")  # compared with another engine workload instead of PyTorch
    if versus:
        xv, yv = W.data(versus, n)
    e_tr, e_in, t_tr, t_in = [], [], [], []
    for _ in range(reps):  # interleaved: a noisy neighbour hurts both sides alike
        tr, inf = engine_rates(name, x, y, batch)
        e_tr.append(tr)
        e_in.append(inf)
        if versus:
            tr, inf = engine_rates(versus, xv, yv, batch)
        elif have_torch:
            tr, inf = torch_rates(name, x, y, batch, torch_device)
        else:
            continue
        t_tr.append(tr)
        t_in.append(inf)
    med = statistics.median
    nan = float("nan")
    ratio_tr = med(a / b for a, b in zip(e_tr, t_tr)) if t_tr else nan
    ratio_in = med(a / b for a, b in zip(e_in, t_in)) if t_in else nan
    peak = engine_peak_mb(name, x[: batch * 4], y[: batch * 4], batch)
    print(f"{name:11} {batch:5d} {med(e_tr):13,.0f} {med(t_tr) if t_tr else nan:12,.0f} {ratio_tr:6.2f} "
          f"{med(e_in):13,.0f} {med(t_in) if t_in else nan:12,.0f} {ratio_in:6.2f} {peak:15.1f}", flush=True)
    if versus:
        print(f"            {name}: the 'torch' columns are the engine's own {versus} workload (not PyTorch)")
    if name == "mlp":
        flops = 6 * (784 * 512 + 512 * 256 + 256 * 10)  # forward 2 + backward 4 FLOPs per weight per sample
        print(f"            MLP training reaches {med(e_tr) * flops / 1e9 / gflops:.0%} of the GEMM peak")


if __name__ == "__main__":
    main()
