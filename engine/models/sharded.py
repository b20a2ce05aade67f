"""One training step with the batch split into shards, each shard's forward and backward on its own thread.

Ops split inside themselves (BLAS threads, conv kernels by images) leave the small element-wise passes, the
numba dispatches and every step of a recurrent loop on one core. Here each thread runs the whole model on its
rows with one BLAS thread: both cores do all of the work, with two hand-offs per step.

1. Forward: shard i's rows through the model on thread i (dropout draws from a generator of its own, seeded
   from the engine's generator: a seeded run repeats itself at the same thread count).
2. Loss, on the main thread, on the whole batch: the shards' outputs joined into leaf tensors, so the loss,
   its reduction (masks, sample weights, "sum_over_batch_size" over the whole batch), the penalties and the
   metrics are exactly the serial ones.
3. Backward: thread i sends its rows of the joined outputs' gradient back through its own graph into a
   private dict of weight gradients; the main thread adds the shards' dicts into each weight's ``.grad``.

The weight gradients are those of the serial step up to float32 rounding (a sum of per-shard sums). Layers that
couple the rows of a batch (BatchNormalization's batch statistics), layers with a generator of their own
(``seed=``: shards would share it), activity regularizers (kept on the layer between forward and loss) and
small batches stay on the serial step: ``train_shards`` says which. ``predict_workers`` says how many whole
batches ``predict`` and ``evaluate`` run at once (``engine.parallel.map_batches``).
"""

from __future__ import annotations

import numpy as np

from engine import backend, parallel
from engine.autograd import Tensor, backward, census, no_grad
from engine.models import data as D

MIN_SHARD_ROWS = 16  # below this the hand-offs cost more than a second core gives back
_BATCH_COUPLED = {"BatchNormalization", "RBM"}


def train_shards(model, xb, x_struct) -> int:
    """Into how many shards a training batch ``xb`` is split (1: the serial step)."""
    workers = parallel.batch_workers(model)
    parts = min(workers, int(xb[0].shape[0]) // MIN_SHARD_ROWS)
    # activity losses are kept on the layer between the forward pass (on a thread) and the loss (here)
    if parts <= 1 or not _shardable(model) or not _no_activity_losses(model) or not _rows_pay(model, xb, x_struct):
        return 1
    return parts


def predict_workers(model, xb, x_struct, *, with_loss: bool = False) -> int:
    """How many batches like ``xb`` predict (``with_loss``: evaluate) runs at once. Evaluate computes each
    batch's loss after its forward pass, so activity regularizers (kept on the layer between the two) keep it
    serial."""
    workers = parallel.batch_workers(model)
    if workers <= 1 or (with_loss and not _no_activity_losses(model)) or not _rows_pay(model, xb, x_struct):
        return 1
    return workers


def _rows_pay(model, xb, x_struct) -> bool:
    try:
        return parallel.rows_pay_off(model, int(xb[0].shape[0]), _shapes(xb),
                                     lambda: outputs_per_row(model, xb, x_struct))
    except Exception:  # noqa: BLE001 - a batch the model cannot take: the serial path raises it, for all of it
        return False


def outputs_per_row(model, xb, x_struct) -> float:
    """The elements the ops output per row in an inference forward pass of a few rows of ``xb``."""
    rows = min(int(xb[0].shape[0]), 4)
    with census() as count, no_grad():
        model(D.restructure([x[:rows] for x in xb], x_struct), training=False)
    return count[0] / rows


def _shapes(xb) -> tuple:
    return tuple(tuple(x.shape[1:]) for x in xb)


def _no_activity_losses(layer) -> bool:
    return getattr(layer, "activity_regularizer", None) is None and all(
        _no_activity_losses(sub) for sub in getattr(layer, "_layers", ()))


def _shardable(layer) -> bool:
    """No layer couples the rows (batch statistics) or draws from a generator of its own (``seed=``)."""
    if type(layer).__name__ in _BATCH_COUPLED or getattr(layer, "seed", None) is not None:
        return False
    return all(_shardable(sub) for sub in getattr(layer, "_layers", ()))


def train_step(model, xb, x_struct, yb, swb, parts: int) -> list[Tensor]:
    """Forward, loss and backward of one batch over ``parts`` threads; weight gradients land in ``.grad`` (as
    ``total.backward()`` leaves them). Returns the joined outputs (for the metrics), or None when a shard's
    forward pass failed: nothing is changed then, and the caller runs the serial step, whose error message
    names the batch the user passed (a shape mismatch, a bad label), not a shard of it."""
    bounds = _bounds(xb, parts)
    shard_outputs = _forward(model, xb, x_struct, bounds)
    if shard_outputs is None:
        return None
    joined = [_join([outs[k] for outs in shard_outputs]) for k in range(len(shard_outputs[0]))]
    model._loss(joined, yb, swb).backward()  # the penalties' gradients go straight into .grad

    def backward_shard(p):
        rows = slice(bounds[p], bounds[p + 1])
        roots = [out for out, j in zip(shard_outputs[p], joined, strict=True) if j.grad is not None]
        grads = [j.grad[rows] for j in joined if j.grad is not None]
        sink: dict = {}
        if roots:
            backward(roots, grads, leaf_grads=sink)
        return sink

    for sink in parallel.run_parts(backward_shard, parts):
        for leaf, grad in sink.values():
            leaf.grad = grad if leaf.grad is None else leaf.grad + grad
    return joined


def _bounds(xb, parts: int) -> list[int]:
    n = int(xb[0].shape[0])
    return [n * p // parts for p in range(parts + 1)]


def _forward(model, xb, x_struct, bounds):
    """Each shard's flat outputs (a list per shard), or None when a shard's forward pass raised."""
    parts = len(bounds) - 1
    seeds = backend.rng().integers(2**63 - 1, size=parts)

    def forward(p):
        rows = slice(bounds[p], bounds[p + 1])
        with backend.thread_rng(np.random.default_rng(int(seeds[p]))):
            out = model(D.restructure([x[rows] for x in xb], x_struct), training=True)
        return model._flat_outputs(out)

    try:
        return parallel.run_parts(forward, parts)
    except Exception:  # noqa: BLE001 - the serial step raises it again, naming the whole batch's shape
        return None


def _join(outputs: list[Tensor]) -> Tensor:
    """The shards' outputs of one model output as one leaf tensor (no output mask: the losses read none)."""
    return Tensor(np.concatenate([o.data for o in outputs]), requires_grad=True)
