"""What ``compile`` sets up: the loss of each output (with its weight) and the metrics of each output."""

from __future__ import annotations


def _per_output(value, names: list[str], what: str) -> list:
    """A single value (used for every output), a list (one per output) or a dict keyed by output name."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"Unknown entries in {what} dictionary: {unknown}. Only expected the following "
                             f"keys: {names}")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(names) == 1 and len(value) == 1 and what != "metrics":
        return [value[0]]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"For a model with multiple outputs, when providing the `{what}` argument as a "
                             f"list, it should have as many entries as the model has outputs. Received:\n"
                             f"{what}={value}\nof length {len(value)} whereas the model has {len(names)} outputs.")
        return list(value)
    return [value] * len(names)


class CompiledLoss:
    """Sum over outputs of ``loss_weight * loss(y_true, y_pred, sample_weight)``."""

    def __init__(self, loss, loss_weights, output_names: list[str]):
        from engine import losses  # noqa: PLC0415 - leaf module

        self.output_names = output_names
        identifiers = _per_output(loss, output_names, "loss")
        self.losses = [losses.get(i) for i in identifiers]
        self.loss_names = [_loss_name(i, obj) for i, obj in zip(identifiers, self.losses, strict=False)]
        weights = _per_output(loss_weights, output_names, "loss_weights") if loss_weights is not None \
            else [1.0] * len(output_names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        if all(obj is None for obj in self.losses):
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")

    def __call__(self, y_true: list, y_pred: list, sample_weight=None):
        total, per_output = None, []
        for loss, weight, yt, yp in zip(self.losses, self.weights, y_true, y_pred, strict=False):
            if loss is None or yt is None:
                per_output.append(None)
                continue
            value = loss(yt, yp, sample_weight=sample_weight)
            per_output.append(value)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        return total, per_output


def _loss_name(identifier, loss) -> str:
    if loss is None:
        return ""
    if isinstance(identifier, str):
        from engine import losses  # noqa: PLC0415

        return losses.canonical_name(identifier) or identifier
    return getattr(type(loss), "function_name", None) or getattr(loss, "name", type(loss).__name__)


def make_metric(identifier, loss, y_true, y_pred):
    """A fresh metric; "accuracy"/"acc" resolved from the loss and the shapes, as Keras does."""
    from engine import metrics  # noqa: PLC0415 - leaf module

    return metrics.get(identifier, loss=loss, output_shape=tuple(y_pred.shape), target_shape=tuple(y_true.shape))


class CompiledMetrics:
    """The metrics of each output, created at the first batch (accuracy needs the target shapes)."""

    def __init__(self, metrics, output_names: list[str], losses: list):
        self.output_names, self.losses = output_names, losses
        spec = _per_output(metrics, output_names, "metrics") if isinstance(metrics, dict) or (
            isinstance(metrics, (list, tuple)) and len(output_names) > 1 and metrics
            and all(isinstance(m, (list, tuple)) or m is None for m in metrics)) else [metrics] * len(output_names)
        self.spec = [list(s) if isinstance(s, (list, tuple)) else ([] if s is None else [s]) for s in spec]
        self.metrics: list[list] | None = None

    def build(self, y_true: list, y_pred: list) -> None:
        self.metrics = []
        for ids, loss, yt, yp in zip(self.spec, self.losses, y_true, y_pred, strict=False):
            self.metrics.append([make_metric(i, loss, yt, yp) for i in ids] if yt is not None else [])

    def update(self, y_true: list, y_pred: list, sample_weight=None) -> None:
        if self.metrics is None:
            self.build(y_true, y_pred)
        for ms, yt, yp in zip(self.metrics, y_true, y_pred, strict=False):
            for m in ms:
                m.update_state(yt, yp, sample_weight=sample_weight)

    def reset(self) -> None:
        for ms in self.metrics or []:
            for m in ms:
                m.reset_state()

    def named(self):
        """(log name, metric) pairs: "accuracy" for one output, "<output>_accuracy" for several."""
        multi = len(self.output_names) > 1
        for name, ms in zip(self.output_names, self.metrics or [], strict=False):
            for m in ms:
                yield (f"{name}_{m.name}" if multi else m.name), m

    def names(self) -> list[str]:
        if self.metrics is not None:
            return [n for n, _ in self.named()]
        multi = len(self.output_names) > 1
        pairs = zip(self.output_names, self.spec, strict=False)
        return [(f"{o}_{_spec_name(i)}" if multi else _spec_name(i)) for o, ids in pairs for i in ids]


def _spec_name(identifier) -> str:
    if isinstance(identifier, str):
        return identifier
    return getattr(identifier, "name", None) or getattr(identifier, "__name__", type(identifier).__name__)
