"""Try a trained model: raw rows in, decoded predictions out (`run_predict`), and how to feed the
downloaded .h5 outside ModelBuilder (`run_usage`).

Rows are encoded exactly as the worker encoded the training data (data.arrays_build): features in
the plan's order, categorical ones one-hot with the run's `feature_labels`. Standardisation is inside
models saved since the Normalization layer (preprocessing "in_model"); for older runs it is applied
here with the stored statistics. Outputs are decoded with the run's `labels`.
"""

import math
import threading
from collections import OrderedDict

import numpy as np

from modelbuilder.core.errors import ApplicationError
from modelbuilder.core.files import local_copy
from modelbuilder.training import selectors
from modelbuilder.training.data import DataPlan
from modelbuilder.training.models import Run

MAX_ROWS = 1000
FLOAT32_MAX = float(np.finfo(np.float32).max)  # the model computes in float32
CACHE_SIZE = 4  # loaded models kept per process (small models; keyed by run and artifact name)

_cache: OrderedDict[tuple[int, str], object] = OrderedDict()
_lock = threading.Lock()  # guards the cache, and predict (the engine model is not thread-safe)


def _bad(message: str, code: str = "invalid_rows", **details) -> ApplicationError:
    return ApplicationError(message, code=code, status=400, details=details)


def _succeeded(*, user, run_id: int) -> Run:
    run = selectors.run_get(user=user, run_id=run_id)  # another user's run: 404
    if run.status != Run.Status.SUCCEEDED or not run.artifact:
        raise ApplicationError(
            f"Run {run.pk} is {run.status}: only a run that succeeded has a model to try.",
            code="run_not_succeeded",
            status=400,
        )
    return run


def _plan(run: Run) -> DataPlan:
    return DataPlan(**run.preprocessing["plan"])


def _standardize_stats(run: Run) -> dict | None:
    return (run.preprocessing or {}).get("standardize")


def _is_array(run: Run, plan: DataPlan) -> bool:
    """An npz run (one array feature "x"), not a CSV run (named columns)."""
    if run.dataset is not None:
        return run.dataset.format == "npz"
    return plan.features == ["x"] and plan.target == "y" and not plan.feature_labels  # npz plans


def run_usage(*, user, run_id: int) -> dict:
    """What a program must feed the downloaded model, and what it answers."""
    run = _succeeded(user=user, run_id=run_id)
    plan = _plan(run)
    stats = _standardize_stats(run)
    features = [
        {"name": name, "kind": "categorical", "labels": plan.feature_labels[name]}
        if name in plan.feature_labels
        else {"name": name, "kind": "numeric", "labels": []}
        for name in plan.features
    ]
    return {
        "format": "npz" if _is_array(run, plan) else "csv",
        "target": plan.target,
        "features": features,
        "input_shape": plan.input_shape,
        "encoding": plan.encoding,
        "labels": plan.labels,
        "output_width": plan.output_width,
        "standardized": bool(stats),
        "standardization_in_model": bool(stats and stats.get("in_model")),
        "mean": stats["mean"] if stats else None,
        "std": stats["std"] if stats else None,
    }


def _number(value, row: int, column: str) -> float:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise _bad(f"Row {row}, column {column!r}: expected a number, got {value!r}.", row=row, column=column)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad(
            f"Row {row}, column {column!r}: {value!r} is not a number.", row=row, column=column
        ) from None
    if not math.isfinite(number) or abs(number) > FLOAT32_MAX:
        raise _bad(
            f"Row {row}, column {column!r}: {value!r} is not a finite number (within ±3.4e38).",
            row=row,
            column=column,
        )
    return number


def _category(value, labels: list[str], row: int, column: str) -> int:
    keys = [str(value).strip()]
    if isinstance(value, float) and value.is_integer():
        keys.append(str(int(value)))  # 2.0 for the label "2"
    for key in keys:
        if key in labels:
            return labels.index(key)
    raise _bad(
        f"Row {row}, column {column!r}: unknown category {value!r}; the model knows {labels}.",
        row=row,
        column=column,
    )


def _encode_csv(rows: list, plan: DataPlan) -> np.ndarray:
    out = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _bad(f"Row {i} must be an object of feature: value, got {type(row).__name__}.", row=i)
        values: list[float] = []
        for name in plan.features:
            if name not in row:
                raise _bad(f"Row {i} has no value for the feature {name!r}.", row=i, column=name)
            if name in plan.feature_labels:
                labels = plan.feature_labels[name]
                onehot = [0.0] * len(labels)
                onehot[_category(row[name], labels, i, name)] = 1.0
                values += onehot
            else:
                values.append(_number(row[name], i, name))
        out.append(values)
    return np.asarray(out, dtype=np.float32).reshape(len(rows), -1)


def _encode_array(rows: list, plan: DataPlan) -> np.ndarray:
    """npz runs: each row is {"x": one sample as nested lists of the input shape}."""
    samples = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or "x" not in row:
            raise _bad(f"Row {i} has no value for the feature 'x'.", row=i, column="x")
        try:
            sample = np.asarray(row["x"], dtype=np.float32)
        except (TypeError, ValueError):
            raise _bad(f"Row {i}, column 'x': expected numbers.", row=i, column="x") from None
        if list(sample.shape) != list(plan.input_shape) or not np.isfinite(sample).all():
            raise _bad(
                f"Row {i}, column 'x': expected finite numbers of shape {plan.input_shape}, "
                f"got shape {list(sample.shape)}.",
                row=i,
                column="x",
            )
        samples.append(sample)
    return np.stack(samples)


def _load(run: Run):
    from engine.models import load_model

    key = (run.pk, run.artifact.name)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    with local_copy(run.artifact) as path:
        model = load_model(str(path), compile=False)
    with _lock:
        _cache[key] = model
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return model


def _decode(outputs: np.ndarray, plan: DataPlan) -> list[dict]:
    out = []
    for y in outputs.reshape(len(outputs), -1).astype(np.float64):
        if plan.encoding == "binary":
            p = float(y[0])
            probabilities = {plan.labels[0]: 1.0 - p, plan.labels[1]: p}
            out.append({"label": plan.labels[int(p >= 0.5)], "probabilities": probabilities})
        elif plan.encoding in ("onehot", "ids"):
            probabilities = {label: float(v) for label, v in zip(plan.labels, y)}
            out.append({"label": plan.labels[int(np.argmax(y))], "probabilities": probabilities})
        else:
            out.append({"value": float(y[0]) if len(y) == 1 else [float(v) for v in y]})
    return out


def run_predict(*, user, run_id: int, rows: list) -> dict:
    """{"predictions": [{label, probabilities} | {value}, ...]} for raw feature rows."""
    run = _succeeded(user=user, run_id=run_id)
    if not isinstance(rows, list) or not rows:
        raise _bad("Send at least one row: {\"rows\": [{\"feature\": value, ...}]}.")
    if len(rows) > MAX_ROWS:
        raise _bad(f"At most {MAX_ROWS} rows per request; got {len(rows)}.", rows=len(rows))
    plan = _plan(run)
    x = _encode_array(rows, plan) if _is_array(run, plan) else _encode_csv(rows, plan)
    stats = _standardize_stats(run)
    if stats and not stats.get("in_model"):  # a model saved before the Normalization layer
        mean = np.asarray(stats["mean"], dtype=np.float32).reshape(x.shape[1:])
        std = np.asarray(stats["std"], dtype=np.float32).reshape(x.shape[1:])
        x = ((x - mean) / std).astype(np.float32)
    model = _load(run)
    with _lock:
        outputs = np.asarray(model.predict(x, verbose=0))
    bad = np.flatnonzero(~np.isfinite(outputs.reshape(len(outputs), -1)).all(axis=1))
    if len(bad):
        row = int(bad[0]) + 1
        raise _bad(
            f"Row {row}: the model's output is not a finite number; its values are probably far "
            "outside the range of the training data.",
            row=row,
        )
    return {"predictions": _decode(outputs, plan)}
