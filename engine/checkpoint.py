"""Training checkpoints that resume exactly: `TrainingCheckpoint` (a callback) and `resume`.

A checkpoint is one HDF5 file written atomically (a temporary file in the same folder, then
``os.replace``), so a reader sees the previous checkpoint or the new one, never half of one:

    /weights/<i>            model.get_weights() in order
    /optimizer/<i>          model.optimizer.get_state() (iteration, learning rate, slots, extras)
    /trackers/...           mid-epoch only: the epoch's running loss sums and metric states
    attrs["meta"]           JSON: {"version", "epoch" (epochs completed), "batch" (batches of the next
                            epoch already trained, 0 at an epoch boundary), "history" ({name: [..]}),
                            "rng" (the engine's CPU generator state now), "rng_epoch" (its state at the
                            start of the current epoch, before the shuffle was drawn), "reason"}

Written at every epoch end, every ``every_seconds`` (or ``every_batches``) at a batch boundary inside
an epoch, and when ``request_stop`` is answered (pause). Nothing in the file is executed on load.

Resuming::

    model = build_and_compile()            # same graph, optimizer and seed as the first run
    initial_epoch, history = resume(model, path, callbacks)   # None path / no file: (0, {})
    model.fit(x, y, epochs=N, initial_epoch=initial_epoch, shuffle=True, callbacks=callbacks)

gives the same weights as an uninterrupted ``fit`` (bit for bit on the CPU): weights, optimizer
slots and iteration, and the random generator are restored; for a mid-epoch checkpoint the epoch's
shuffle is re-drawn from the saved epoch-start state, the batches already trained are skipped (no
compute), and at the first batch still to train the generator and the epoch's loss/metric sums are
set back to their saved values. On a GPU (cupy) the device generator's state cannot be saved; instead,
while this callback is in ``fit``, the device generator is re-derived from the CPU generator at every
epoch and batch start (``backend.rng()`` seeds it from one CPU draw), so the GPU stream is a function of
the saved CPU state and a resumed run matches an uninterrupted run *that also used the callback*
(this GPU path was not exercised on a GPU yet).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from engine import backend
from engine.callbacks import Callback

FORMAT_VERSION = 1


class TrainingStopped(Exception):
    """Raised out of ``fit`` after a checkpoint was written because ``request_stop`` said so.

    ``reason`` is what ``request_stop`` returned (e.g. "pause"); ``epoch``/``batch`` the position saved.
    """

    def __init__(self, reason: str, epoch: int, batch: int):
        super().__init__(f"training stopped ({reason}) at epoch {epoch}, batch {batch}")
        self.reason, self.epoch, self.batch = reason, epoch, batch


# ---------------------------------------------------------------- file format
def _metric_objects(model) -> list:
    compiled = getattr(model, "_compiled_metrics", None)
    return [m for ms in (getattr(compiled, "metrics", None) or []) for m in ms]


def _numeric_state(obj) -> dict:
    """The numbers and arrays among a metric's attributes (its running totals)."""
    out = {}
    for key, value in vars(obj).items():
        if isinstance(value, bool) or key in ("name", "dtype"):
            continue
        if isinstance(value, (int, float, np.generic)) or hasattr(value, "__array__") and hasattr(value, "shape"):
            out[key] = (type(value).__name__, np.asarray(backend.to_cpu(value)))
    return out


def _plain_lr(optimizer) -> float | None:
    lr = getattr(optimizer, "_learning_rate", None)
    return float(lr) if isinstance(lr, (int, float, np.floating)) else None


def write_checkpoint(path, model, *, epoch: int, batch: int, history: dict, rng_epoch=None,
                     reason: str = "epoch") -> None:
    """Write one checkpoint atomically (see the module doc for the layout)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"version": FORMAT_VERSION, "epoch": int(epoch), "batch": int(batch), "reason": reason,
            "history": {k: [float(v) for v in vs] for k, vs in history.items()},
            "rng": backend.state_dict(), "rng_epoch": rng_epoch, "written_at": time.time(),
            # the optimizer's state holds the learning rate as float32 (as Keras does); keep it exact
            "learning_rate": _plain_lr(model.optimizer)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["meta"] = json.dumps(meta)
            g = f.create_group("weights")
            for i, w in enumerate(model.get_weights()):
                g.create_dataset(str(i), data=np.asarray(w))
            g = f.create_group("optimizer")
            for i, a in enumerate(model.optimizer.get_state() if model.optimizer.built else []):
                g.create_dataset(str(i), data=np.asarray(a))
            if batch:
                t = f.create_group("trackers")
                t.create_dataset("loss_sum", data=np.asarray(backend.to_cpu(model._loss_sum)))  # its own dtype
                t.attrs["count"] = int(model._count)
                t.create_dataset("output_loss_sums",
                                 data=np.asarray([float(backend.to_cpu(s)) for s in model._output_loss_sums]))
                for i, m in enumerate(_metric_objects(model)):
                    mg = t.create_group(f"metric_{i}")
                    for key, (kind, value) in _numeric_state(m).items():
                        mg.create_dataset(key, data=value).attrs["kind"] = kind
            f.flush()
            os.fsync(f.id.get_vfd_handle())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_checkpoint(path) -> dict | None:
    """The checkpoint's contents ({"meta", "weights", "optimizer", "trackers"}), or None if no file."""
    path = Path(path)
    if not path.exists():
        return None
    with h5py.File(path, "r") as f:
        meta = json.loads(f.attrs["meta"])
        weights = [f["weights"][str(i)][()] for i in range(len(f["weights"]))]
        opt = [f["optimizer"][str(i)][()] for i in range(len(f["optimizer"]))]
        trackers = None
        if "trackers" in f:
            t = f["trackers"]
            metrics = []
            i = 0
            while f"metric_{i}" in t:
                metrics.append({k: (d.attrs["kind"], d[()]) for k, d in t[f"metric_{i}"].items()})
                i += 1
            trackers = {"loss_sum": t["loss_sum"][()], "count": int(t.attrs["count"]),
                        "output_loss_sums": [float(v) for v in t["output_loss_sums"][()]], "metrics": metrics}
    return {"meta": meta, "weights": weights, "optimizer": opt, "trackers": trackers}


# ---------------------------------------------------------------- resume
def resume(model, path, callbacks=None) -> tuple[int, dict]:
    """Restore ``model`` (built and compiled like the first run) from the checkpoint at ``path``.

    Returns ``(initial_epoch, history)`` for ``fit(initial_epoch=...)``; ``(0, {})`` when there is no
    checkpoint. A mid-epoch checkpoint is finished by the ``TrainingCheckpoint`` in ``callbacks``
    (which must be given then), by skipping the batches already trained in that epoch.
    """
    data = read_checkpoint(path) if path is not None else None
    if data is None:
        return 0, {}
    meta = data["meta"]
    model.set_weights(data["weights"])
    if data["optimizer"]:
        model.optimizer.build(model.trainable_weights)
        model.optimizer.set_state(data["optimizer"])
        if meta.get("learning_rate") is not None and _plain_lr(model.optimizer) is not None:
            model.optimizer.learning_rate = meta["learning_rate"]
    epoch, batch = int(meta["epoch"]), int(meta["batch"])
    if batch:
        ckpt = next((c for c in callbacks or [] if isinstance(c, TrainingCheckpoint)), None)
        if ckpt is None:
            raise ValueError("A mid-epoch checkpoint needs its TrainingCheckpoint callback in `callbacks`.")
        ckpt._pending = data
        backend.load_state_dict(meta["rng_epoch"])  # the epoch's shuffle is drawn again, identically
    else:
        backend.load_state_dict(meta["rng"])
    _fresh_gpu_stream()
    for c in callbacks or []:
        if isinstance(c, TrainingCheckpoint):
            c.history = {k: list(v) for k, v in meta["history"].items()}
    return epoch, meta["history"]


def _restore_trackers(model, trackers: dict) -> None:
    xp = backend.get_xp()
    model._loss_sum = xp.asarray(trackers["loss_sum"])
    model._count = trackers["count"]
    model._output_loss_sums = list(trackers["output_loss_sums"]) or model._output_loss_sums
    for m, state in zip(_metric_objects(model), trackers["metrics"], strict=False):
        for key, (kind, value) in state.items():
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind == "float":
                setattr(m, key, float(value))
            elif kind == "int":
                setattr(m, key, int(value))
            else:
                setattr(m, key, backend.to_device(value) if np.ndim(value) else xp.asarray(value))


# ---------------------------------------------------------------- the callback
class TrainingCheckpoint(Callback):
    """Writes a checkpoint at every epoch end, every ``every_seconds`` / ``every_batches`` within an
    epoch, and when ``request_stop()`` returns a reason (then raises ``TrainingStopped``).

    ``request_stop`` is called after every batch (keep it cheap, or throttle it yourself); it returns
    None to go on, or a short reason such as "pause". ``on_write(meta)`` is called after each write.
    """

    def __init__(self, path, *, every_seconds: float | None = 600.0, every_batches: int | None = None,
                 request_stop=None, on_write=None):
        super().__init__()
        self.path = Path(path)
        self.every_seconds, self.every_batches = every_seconds, every_batches
        self.request_stop, self.on_write = request_stop, on_write
        self.history: dict = {}
        self._pending = None
        self._epoch = 0
        self._rng_epoch = None
        self._last_write = time.monotonic()
        self.writes = 0

    def _write(self, epoch: int, batch: int, reason: str) -> None:
        write_checkpoint(self.path, self.model, epoch=epoch, batch=batch, history=self.history,
                         rng_epoch=self._rng_epoch, reason=reason)
        self._last_write = time.monotonic()
        self.writes += 1
        if self.on_write is not None:
            self.on_write({"epoch": epoch, "batch": batch, "reason": reason})

    def on_train_begin(self, logs=None):
        self._last_write = time.monotonic()

    def on_epoch_begin(self, epoch, logs=None):
        _fresh_gpu_stream()
        self._epoch = epoch
        self._rng_epoch = backend.state_dict()  # before the epoch's shuffle is drawn

    def on_train_batch_begin(self, batch, logs=None):
        _fresh_gpu_stream()
        pending = self._pending
        if pending is None:
            return
        skip = int(pending["meta"]["batch"])
        model = self.model
        if batch < skip - 1:
            model._train_batch = _skip_batch
        elif batch == skip - 1:  # the last batch already trained: build the metrics, then restore
            model._train_batch = _make_restore_batch(model, pending)
        else:  # defensive: the loop went past the skipped batches
            model.__dict__.pop("_train_batch", None)
            self._pending = None

    def on_train_batch_end(self, batch, logs=None):
        if self._pending is not None and batch >= int(self._pending["meta"]["batch"]) - 1:
            self.model.__dict__.pop("_train_batch", None)
            self._pending = None
            return  # this batch was restored, not trained
        if self._pending is not None:
            return
        reason = self.request_stop() if self.request_stop is not None else None
        if reason:
            self._write(self._epoch, batch + 1, reason)
            raise TrainingStopped(reason, self._epoch, batch + 1)
        due = (self.every_batches and (batch + 1) % self.every_batches == 0) or (
            self.every_seconds is not None and time.monotonic() - self._last_write >= self.every_seconds)
        steps = (self.params or {}).get("steps")
        if due and (steps is None or batch + 1 < steps):  # the epoch's last batch: on_epoch_end writes
            self._write(self._epoch, batch + 1, "interval")

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v) if v is not None else float("nan"))
        self._write(epoch + 1, 0, "epoch")


def _fresh_gpu_stream() -> None:
    """GPU only: drop the device generator; ``backend.rng()`` re-seeds it from the CPU generator."""
    if backend.device_name() == "gpu":
        backend._rng["gpu"] = None


def _skip_batch(xb, x_struct, yb, swb, variables):
    """Stands in for ``Trainer._train_batch`` on a batch the checkpoint already holds."""


def _make_restore_batch(model, pending):
    def restore(xb, x_struct, yb, swb, variables):
        from engine.autograd import no_grad  # noqa: PLC0415

        with no_grad():  # one forward pass, only so the metrics exist (built from the target shapes)
            _, preds = model._step(xb, x_struct, yb, swb, training=False)
            model._compiled_metrics.update(yb, [p.data for p in preds], swb)
        _restore_trackers(model, pending["trackers"])
        backend.load_state_dict(pending["meta"]["rng"])

    return restore
