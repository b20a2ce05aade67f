"""From a dataset to training arrays.

`plan_build` decides, from the stored schema alone (no file read, so `POST /api/runs` stays fast),
which columns are features, how the target is encoded for the loss and what input/output widths
the design must have. `arrays_build` applies a plan to the file's data in the worker.
"""

from dataclasses import asdict, dataclass, field

import numpy as np

from modelbuilder.core.errors import ApplicationError

# loss name -> how a class target is encoded for it
CLASS_LOSSES = {
    "categorical_crossentropy": "onehot",
    "sparse_categorical_crossentropy": "ids",
    "binary_crossentropy": "binary",
}
REGRESSION_LOSSES = {
    "mean_squared_error",
    "mse",
    "mean_absolute_error",
    "mae",
    "huber",
    "mean_squared_logarithmic_error",
    "msle",
    "mean_absolute_percentage_error",
    "mape",
}
LOSSES = sorted([*CLASS_LOSSES, *REGRESSION_LOSSES])


@dataclass
class DataPlan:
    target: str
    features: list[str]
    encoding: str  # "onehot" | "ids" | "binary" | "none"
    labels: list[str] = field(default_factory=list)
    input_shape: list[int] = field(default_factory=list)
    output_width: int = 1
    # categorical feature columns are one-hot encoded with these labels
    feature_labels: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _bad(message: str, code: str = "invalid_run", **details) -> ApplicationError:
    return ApplicationError(message, code=code, details=details)


def _class_labels(info: dict) -> list[str] | None:
    classes = info.get("classes")
    if not classes:
        return None
    keys = list(classes)
    if info.get("kind") == "numeric":
        return sorted(keys, key=float)
    return sorted(keys)


def _encoding(loss: str, target: str, info: dict) -> tuple[str, list[str], int]:
    """(encoding, labels, output width) for a 1-D target described by `info`."""
    if loss in CLASS_LOSSES:
        labels = _class_labels(info)
        if labels is None:
            raise _bad(
                f"The target {target!r} is not categorical (it has no class labels), "
                f"so {loss} does not fit it; use a regression loss such as mean_squared_error.",
                "loss_mismatch",
                target=target,
            )
        encoding = CLASS_LOSSES[loss]
        if encoding == "binary":
            if len(labels) != 2:
                raise _bad(
                    f"binary_crossentropy needs a target with 2 classes; {target!r} has "
                    f"{len(labels)}. Use categorical_crossentropy.",
                    "loss_mismatch",
                    target=target,
                )
            return encoding, labels, 1
        return encoding, labels, len(labels)
    if info.get("kind") != "numeric":
        raise _bad(
            f"The target {target!r} holds text labels; {loss} needs numbers. Use "
            "categorical_crossentropy or sparse_categorical_crossentropy.",
            "loss_mismatch",
            target=target,
        )
    return "none", [], 1


def _plan_csv(schema: dict, target: str | None, features: list[str] | None, loss: str) -> DataPlan:
    columns = {c["name"]: c for c in schema.get("columns", [])}
    names = list(columns)
    target = target or names[-1]
    if target not in columns:
        raise _bad(
            f"The dataset has no column {target!r}; its columns are {names}.",
            "invalid_target",
            target=target,
        )
    if features is None:
        features = [n for n in names if n != target]
    unknown = [f for f in features if f not in columns]
    if unknown:
        raise _bad(
            f"The dataset has no column(s) {unknown}; its columns are {names}.",
            "invalid_features",
            features=unknown,
        )
    if target in features:
        raise _bad(f"The target {target!r} cannot also be a feature.", "invalid_features")
    if not features or len(set(features)) != len(features):
        raise _bad("Choose at least one feature column, each once.", "invalid_features")
    feature_labels = {
        f: sorted(columns[f]["classes"]) for f in features if columns[f]["kind"] == "categorical"
    }
    width = sum(len(feature_labels[f]) if f in feature_labels else 1 for f in features)
    encoding, labels, out = _encoding(loss, target, columns[target])
    return DataPlan(
        target=target,
        features=features,
        encoding=encoding,
        labels=labels,
        input_shape=[width],
        output_width=out,
        feature_labels=feature_labels,
    )


def _plan_npz(schema: dict, loss: str) -> DataPlan:
    y_shape = schema["y_shape"]
    input_shape = [int(d) for d in schema["x_shape"][1:]]
    if len(y_shape) > 1 and not (len(y_shape) == 2 and y_shape[1] == 1):
        if loss == "sparse_categorical_crossentropy":
            raise _bad(
                "sparse_categorical_crossentropy needs class ids in a 1-D y; this y has shape "
                f"{y_shape}. Use categorical_crossentropy.",
                "loss_mismatch",
            )
        return DataPlan(
            target="y",
            features=["x"],
            encoding="none",
            input_shape=input_shape,
            output_width=int(y_shape[-1]),
        )
    encoding, labels, out = _encoding(loss, "y", schema.get("target", {}))
    return DataPlan(
        target="y",
        features=["x"],
        encoding=encoding,
        labels=labels,
        input_shape=input_shape,
        output_width=out,
    )


def plan_build(
    *, schema: dict, target: str | None, features: list[str] | None, loss: str
) -> DataPlan:
    if loss not in CLASS_LOSSES and loss not in REGRESSION_LOSSES:
        raise _bad(f"Unknown loss {loss!r}; choose one of {LOSSES}.", "invalid_config")
    if schema.get("format") == "npz":
        return _plan_npz(schema, loss)
    return _plan_csv(schema, target, features, loss)


# --- in the worker ---------------------------------------------------------------------------


def _encode_target(y: np.ndarray, plan: DataPlan) -> np.ndarray:
    if plan.encoding == "none":
        y = y.astype(np.float32)
        return y.reshape(len(y), -1) if y.ndim == 1 else y
    keys = y.astype(str) if y.dtype.kind == "U" else np.array([str(int(v)) for v in y.ravel()])
    index = {label: i for i, label in enumerate(plan.labels)}
    try:
        ids = np.array([index[k] for k in keys], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(
            f"The target holds a label {exc.args[0]!r} that the dataset's schema did "
            "not list; re-validate the dataset."
        ) from None
    if plan.encoding == "onehot":
        return np.eye(len(plan.labels), dtype=np.float32)[ids]
    if plan.encoding == "binary":
        return ids.astype(np.float32).reshape(-1, 1)
    return ids


def arrays_build(table, plan: DataPlan, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """(x float32, y encoded) for the whole dataset (`table` from modelbuilder.datasets.parsing)."""
    if fmt == "npz":
        return table.x.astype(np.float32), _encode_target(table.y, plan)
    parts = []
    for name in plan.features:
        column = table.columns[name]
        if name in plan.feature_labels:
            labels = {label: i for i, label in enumerate(plan.feature_labels[name])}
            ids = np.array([labels[v] for v in column])
            parts.append(np.eye(len(labels), dtype=np.float32)[ids])
        else:
            parts.append(column.astype(np.float32).reshape(-1, 1))
    return np.concatenate(parts, axis=1), _encode_target(table.columns[plan.target], plan)


def numeric_feature_mask(plan: DataPlan) -> np.ndarray:
    """Which of x's columns are numeric (standardised when asked); one-hot ones are not."""
    mask = []
    for name in plan.features:
        mask += [False] * len(plan.feature_labels[name]) if name in plan.feature_labels else [True]
    return np.array(mask, dtype=bool)
