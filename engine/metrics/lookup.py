"""Names → metric objects: ``get`` (what ``compile(metrics=[...])`` accepts), ``resolve_accuracy`` (Keras' choice
behind "accuracy"/"acc") and ``serialize`` (the Keras 3 nested-object form)."""

from __future__ import annotations

from engine.metrics.base import METRICS, Metric
from engine.metrics.function_metrics import (
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
)
from engine.metrics.reduction import MeanMetricWrapper

_BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}


def _loss_name(loss) -> str | None:
    if loss is None:
        return None
    from engine import losses  # noqa: PLC0415 - metrics does not need losses otherwise

    try:
        return losses.canonical_name(loss)
    except (ValueError, TypeError):
        return None


def resolve_accuracy(name="accuracy", loss=None, output_shape=None, target_shape=None) -> Metric:
    """Keras' choice for "accuracy"/"acc": from the loss when it says (binary / sparse / categorical CE),
    otherwise from the shapes: one output unit → binary; integer targets (one fewer axis, or last axis 1)
    → sparse; else categorical. The metric keeps the name the user wrote."""
    loss_name = _loss_name(loss)
    if loss_name in _BINARY_LOSSES:
        return BinaryAccuracy(name=name)
    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=name)
    if loss_name == "categorical_crossentropy":
        return CategoricalAccuracy(name=name)
    out = tuple(output_shape) if output_shape is not None else None
    if out is not None and out[-1] == 1:
        return BinaryAccuracy(name=name)
    if out is not None and target_shape is not None:
        tgt = tuple(target_shape)
        if len(tgt) == len(out) - 1 or (len(tgt) == len(out) and tgt[-1] == 1):
            return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def get(identifier, loss=None, output_shape=None, target_shape=None) -> Metric:
    """A metric name as written in ``compile(metrics=[...])``, a config dict, a Metric, a class or a function
    → a fresh Metric whose ``name`` is the log key Keras uses."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return resolve_accuracy(identifier, loss, output_shape, target_shape)
        try:
            cls = METRICS.lookup(identifier)
        except ValueError:
            from engine import losses  # noqa: PLC0415 - a loss name used as a metric ("binary_crossentropy")

            try:
                loss_obj = losses.get(identifier)
            except ValueError:
                raise ValueError(f"Unknown metric: {identifier!r}. Expected one of: "
                                 f"{', '.join(sorted(METRICS.names()))}, or a loss name.") from None
            return MeanMetricWrapper(lambda t, p, _l=loss_obj: _l.call(t, p).data, name=identifier)
        if isinstance(cls, type) and issubclass(cls, MeanMetricWrapper) and identifier != cls.__name__ \
                and identifier not in (cls.__name__.lower(),):
            return cls(name=identifier)  # 'mse' logs as "mse", 'mean_squared_error' as "mean_squared_error"
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return METRICS.lookup(identifier["class_name"]).from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", "metric"))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric) -> dict:
    """{"module": "keras.metrics", "class_name", "config", "registered_name"}; a custom metric raises."""
    return METRICS.serialize(metric, "keras.metrics")
