"""Turning user data (arrays, lists, dicts) into device arrays, splitting and batching them, Keras-style."""

from __future__ import annotations

import math

import numpy as np

from engine.backend import floatx, get_xp, rng, to_cpu, to_device


def _as_array(a, what: str):
    if type(a).__module__.startswith("cupy"):
        arr = a
    else:
        try:
            arr = np.asarray(getattr(a, "data", a) if type(a).__name__ in ("Tensor", "Variable") else a)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"Failed to convert `{what}` to an array: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object type "
                         f"{arr.dtype}) for `{what}`. Expected numbers (float or int arrays).")
    if arr.ndim == 0:
        raise ValueError(f"`{what}` must be an array with a batch axis. Received a scalar: {arr!r}")
    dtype = floatx() if arr.dtype.kind in "fb" else arr.dtype
    return to_device(arr, dtype=dtype)


def _is_array_like(a) -> bool:
    return hasattr(a, "shape") and hasattr(a, "dtype")


def standardize(data, names: list[str] | None, what: str):
    """data → (list of device arrays, structure) where structure is "single", "list" or a list of dict keys."""
    if data is None:
        return None, None
    if isinstance(data, dict):
        if names and all(n in data for n in names):
            return [_as_array(data[n], f"{what}['{n}']") for n in names], "list" if len(names) > 1 else "single"
        keys = list(data)
        return [_as_array(data[k], f"{what}['{k}']") for k in keys], keys
    if isinstance(data, (list, tuple)) and data and (all(_is_array_like(a) for a in data)
                                                     or (names is not None and len(names) > 1)):
        if len(data) == 1:
            return [_as_array(data[0], what)], "single"
        return [_as_array(a, f"{what}[{i}]") for i, a in enumerate(data)], "list"
    return [_as_array(data, what)], "single"


def restructure(arrays: list, structure):
    if structure == "single":
        return arrays[0]
    if structure == "list":
        return list(arrays)
    return dict(zip(structure, arrays, strict=False))


def check_cardinality(xs, ys=None, sw=None) -> int:
    sizes = {"x": [int(a.shape[0]) for a in xs]}
    if ys is not None:
        sizes["y"] = [int(a.shape[0]) for a in ys]
    if sw is not None:
        sizes["sample_weight"] = [int(sw.shape[0])]
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        lines = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same number of "
                         f"samples.\n{lines}")
    if not all_sizes or all_sizes == {0}:
        raise ValueError("Expected input data to contain at least one sample. Received: 0 samples.")
    return all_sizes.pop()


def class_weights_to_sample_weights(y, class_weight: dict):
    """class_weight {class: weight} → one weight per sample (classes from one-hot argmax or int labels)."""
    xp = get_xp()
    if not class_weight:
        return None
    classes = xp.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else xp.rint(y.reshape(y.shape[0], -1)[:, 0])
    classes = classes.astype("int64")
    top = max(int(k) for k in class_weight)
    table = np.ones(max(top + 1, int(classes.max()) + 1), dtype=floatx())
    for k, w in class_weight.items():
        table[int(k)] = w
    return to_device(table)[classes]


def split_validation(arrays_groups, n: int, validation_split: float):
    """Keras: the LAST ``validation_split`` fraction (before any shuffling) is held out."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be a float between 0 and 1. "
                         f"Received: validation_split={validation_split}")
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`. "
                         f"Either provide more data, or a different value for the `validation_split` argument.")
    train = [None if g is None else [a[:split_at] for a in g] for g in arrays_groups]
    val = [None if g is None else [a[split_at:] for a in g] for g in arrays_groups]
    return train, val


def batches(groups, n: int, batch_size: int, shuffle: bool, steps: int | None = None):
    """Yield per batch the slices of every array group (None groups stay None); one gather per epoch."""
    if shuffle:
        perm = get_xp().argsort(rng().random(n))  # cupy's Generator has no permutation()
        groups = [None if g is None else [a[perm] for a in g] for g in groups]
    count = math.ceil(n / batch_size)
    if steps is not None:
        count = min(count, int(steps))
    for i in range(count):
        sl = slice(i * batch_size, min((i + 1) * batch_size, n))
        yield i, [None if g is None else [a[sl] for a in g] for g in groups]


# ---------------------------------------------------------------- what fit/evaluate/predict iterate over


class ArrayData:
    """Arrays already on the device, cut into batches (shuffled once per epoch when asked)."""

    def __init__(self, xs, x_struct, ys, sw, n: int, batch_size: int):
        self.xs, self.x_struct, self.ys, self.sw, self.n, self.batch_size = xs, x_struct, ys, sw, n, batch_size

    def steps(self, steps=None) -> int:
        count = math.ceil(self.n / self.batch_size)
        return count if steps is None else min(int(steps), count)

    def first_x(self):
        return [a[:1] for a in self.xs], self.x_struct

    def epoch(self, shuffle: bool = False, steps=None):
        groups = [self.xs, self.ys, None if self.sw is None else [self.sw]]
        for step, (xb, yb, swb) in batches(groups, self.n, self.batch_size, shuffle, self.steps(steps)):
            yield step, xb, self.x_struct, yb, None if swb is None else swb[0]


def is_batch_source(x) -> bool:
    """A Python generator/iterator of batches, or a Keras ``Sequence``/``PyDataset``-like object
    (``len()`` = batches per epoch, ``[i]`` = a batch)."""
    if x is None or isinstance(x, (list, tuple, dict, str)) or _is_array_like(x):
        return False
    return hasattr(x, "__next__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__"))


class SourceData:
    """Batches from a generator or a Sequence: each item is ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, w)``."""

    def __init__(self, source, prepare):
        self.source, self.prepare = source, prepare
        self.indexed = hasattr(source, "__getitem__") and hasattr(source, "__len__") \
            and not hasattr(source, "__next__")
        self._pending = []

    def steps(self, steps=None):
        if self.indexed:
            return len(self.source) if steps is None else min(int(steps), len(self.source))
        return None if steps is None else int(steps)

    def _next(self):
        if self._pending:
            return self._pending.pop()
        return next(self.source)

    def first_x(self):
        item = self.source[0] if self.indexed else self._next()
        if not self.indexed:
            self._pending.append(item)
        xs, x_struct, _, _, _ = self.prepare(*_unpack_item(item))
        return [a[:1] for a in xs], x_struct

    def epoch(self, shuffle: bool = False, steps=None):
        count = self.steps(steps)
        if self.indexed:
            order = to_cpu(get_xp().argsort(rng().random(count))) if shuffle else range(count)
            for step, i in enumerate(order):
                yield (step, *self._batch(self.source[int(i)]))
            if hasattr(self.source, "on_epoch_end"):
                self.source.on_epoch_end()
            return
        step = 0
        while count is None or step < count:
            try:
                item = self._next()
            except StopIteration:
                return
            yield (step, *self._batch(item))
            step += 1

    def _batch(self, item):
        xs, x_struct, ys, sw, _ = self.prepare(*_unpack_item(item))
        return xs, x_struct, ys, sw


def _unpack_item(item):
    if isinstance(item, tuple):
        if not 1 <= len(item) <= 3:
            raise ValueError(f"A generator/Sequence batch must be `x`, `(x, y)` or `(x, y, sample_weight)`. "
                             f"Received a tuple of {len(item)} elements.")
        return (*item, *([None] * (3 - len(item))))
    return item, None, None
