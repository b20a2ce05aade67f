"""``training_config`` and ``optimizer_weights`` of an .h5 file: compile settings and the optimizer's state.

Written as Keras 3 does (full loss names, ``loss_weights`` always present, plain optimizer class names) so
Keras 3 compiles the model; the optimizer's variables are written in Keras 3's order (iteration,
learning_rate, then the slots: variables interleaved within one ``add_optimizer_variables`` group) so both
the engine and Keras resume training where it stopped. Reading accepts Keras 3 names
(``adam/dense_kernel_momentum``) and Keras 2 names (``iteration:0``, ``Adam/m/dense/kernel:0``) by slot.
"""

from __future__ import annotations

import warnings

import numpy as np

from engine.backend import to_cpu, to_device
from engine.saving import h5_utils
from engine.saving.errors import ModelFileError

# Keras 3's creation order of optimizer slots: groups created by one add_optimizer_variables call are
# interleaved per variable, groups follow each other.
KERAS3_SLOT_GROUPS = {
    "SGD": [("momentum",)],
    "Adam": [("momentum", "velocity"), ("velocity_hat",)],
    "AdamW": [("momentum", "velocity"), ("velocity_hat",)],
    "Nadam": [("momentum", "velocity")],
    "Adamax": [("m", "u")],
    "Adagrad": [("accumulator",)],
    "Adadelta": [("accumulated_grad", "accumulated_delta_var")],
    "RMSprop": [("velocity",), ("momentum",), ("average_gradient",)],
}
# Keras 2 (and Keras 3 variable) short slot names → engine slot names.
SLOT_ALIASES = {"m": ("momentum", "m"), "v": ("velocity",), "vhat": ("velocity_hat",), "u": ("u",),
                "norm": ("u",), "rms": ("velocity",), "mg": ("average_gradient",),
                "accumulated_grad": ("accumulated_grad",), "accumulated_delta_var": ("accumulated_delta_var",),
                "delta_accumulator": ("accumulated_delta_var",)}
_LOSS_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
                 "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
                 "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence", "logcosh": "log_cosh",
                 "huber_loss": "huber", "bce": "binary_crossentropy", "cce": "categorical_crossentropy"}


# ---- writing ----------------------------------------------------------------------------------------
def _serialize_loss(loss):
    from engine import losses  # noqa: PLC0415

    if loss is None:
        return None
    if isinstance(loss, str):
        name = losses.canonical_name(loss) or _LOSS_ALIASES.get(loss, loss)
        return _LOSS_ALIASES.get(name, name)
    if isinstance(loss, dict) and not isinstance(loss.get("class_name"), str):
        return {k: _serialize_loss(v) for k, v in loss.items()}
    if isinstance(loss, list | tuple):
        return [_serialize_loss(v) for v in loss]
    obj = losses.get(loss)
    cls_name = losses.LOSSES.canonical_name(obj)
    if cls_name is None:
        raise ValueError(f"Cannot save a custom loss {loss!r} in training_config.")
    config = {k: v for k, v in obj.get_config().items() if k != "dtype"}
    function_name = getattr(type(obj), "function_name", None)
    default = {k: v for k, v in type(obj)().get_config().items() if k != "dtype"}
    if function_name and config == default:
        return _LOSS_ALIASES.get(function_name, function_name)
    return {"class_name": cls_name, "config": config}


def _serialize_metrics(metrics):
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {k: _serialize_metrics(v) for k, v in metrics.items()}
    if isinstance(metrics, list | tuple):
        return [_serialize_metrics(m) for m in metrics]
    if isinstance(metrics, str):
        return metrics
    name = getattr(metrics, "name", None) or getattr(metrics, "__name__", None)
    if not isinstance(name, str):
        raise ValueError(f"Cannot save metric {metrics!r} in training_config.")
    return name


def training_config(model) -> dict | None:
    """Keras 3's training_config of a compiled model (None when it was never compiled)."""
    from engine import optimizers  # noqa: PLC0415
    from engine.saving.layer_config import to_jsonable  # noqa: PLC0415

    get = getattr(model, "get_compile_config", None)
    cc = get() if get is not None else None
    optimizer = getattr(model, "optimizer", None)
    if cc is None or optimizer is None:
        return None
    class_name = optimizers.OPTIMIZERS.canonical_name(optimizer) or type(optimizer).__name__
    loss = cc.get("loss")
    return to_jsonable({
        "loss": _serialize_loss(loss),
        "loss_weights": cc.get("loss_weights"),
        "metrics": _serialize_metrics(cc.get("metrics")),
        "weighted_metrics": _serialize_metrics(cc.get("weighted_metrics")),
        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False,
        "optimizer_config": {"class_name": class_name, "config": optimizer.get_config()},
    })


def _slot_order(optimizer) -> list[str]:
    slots = list(getattr(optimizer, "_slot_names", ()))
    groups = [tuple(s for s in g if s in slots) for g in KERAS3_SLOT_GROUPS.get(type(optimizer).__name__, [])]
    groups = [g for g in groups if g]
    covered = {s for g in groups for s in g}
    groups += [(s,) for s in slots if s not in covered]
    return groups


def optimizer_weights(model) -> list[tuple[str, np.ndarray]]:
    """(name, array) in Keras 3's order; empty when the optimizer has no state yet (never stepped)."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not getattr(opt, "built", False) or not hasattr(opt, "_slots"):
        return []
    name = str(getattr(opt, "name", "optimizer")).replace("/", "_") or "optimizer"
    out = [(f"{name}/iteration", np.asarray(int(opt.iterations), dtype=np.int64))]
    lr = getattr(opt, "_learning_rate", None)
    if isinstance(lr, int | float):
        out.append((f"{name}/learning_rate", np.asarray(lr, dtype=np.float32)))
    index = {id(v): i for i, v in enumerate(opt._vars)}
    variables = [v for v in model.trainable_weights if id(v) in index]
    if len(variables) != len(opt._vars):
        variables = list(opt._vars)
    used = set()
    for group in _slot_order(opt):
        for var in variables:
            for slot in group:
                path = (getattr(var, "path", None) or var.name).replace("/", "_").replace(":", "_")
                key, k = f"{name}/{path}_{slot}", 1
                while key in used:
                    key, k = f"{name}/{path}_{slot}_{k}", k + 1
                used.add(key)
                out.append((key, np.asarray(to_cpu(opt._slots[slot][index[id(var)]]))))
    for extra_name, value in opt._extra_state() if hasattr(opt, "_extra_state") else []:
        out.append((f"{name}/{extra_name}", np.asarray(to_cpu(value))))
    return out


# ---- reading ----------------------------------------------------------------------------------------
def _clean_optimizer_config(config: dict, cls) -> dict:
    from engine.saving.layer_config import accepted_kwargs  # noqa: PLC0415

    config = dict(config or {})
    accepted = accepted_kwargs(cls)
    if accepted is not None:
        dropped = [k for k in config if k not in accepted]
        config = {k: v for k, v in config.items() if k in accepted}
        if dropped:
            config.pop("is_legacy_optimizer", None)
    if config.get("use_ema"):
        warnings.warn("The file's optimizer used EMA (use_ema=True), which the engine does not support; "
                      "training continues without it.", stacklevel=4)
        config["use_ema"] = False
    if config.get("gradient_accumulation_steps"):
        config["gradient_accumulation_steps"] = None
    return config


def _deserialize_loss(loss):
    from engine import losses  # noqa: PLC0415

    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, list):
        return [_deserialize_loss(v) for v in loss]
    if isinstance(loss, dict) and "class_name" in loss:
        class_name = str(loss["class_name"])
        config = dict(loss.get("config") or {})
        if class_name in ("LossFunctionWrapper", "function"):
            return config.get("fn") or config.get("name") or loss.get("config")
        cls = losses.LOSSES.lookup(class_name)
        config.pop("fn", None)
        return cls(**{k: v for k, v in config.items() if k in ("from_logits", "label_smoothing", "axis", "delta",
                                                                  "reduction", "name", "ignore_class")})
    if isinstance(loss, dict):
        return {k: _deserialize_loss(v) for k, v in loss.items()}
    raise ModelFileError(f"Unreadable loss in training_config: {str(loss)[:200]}")


def _metric_names(metrics):
    """Keras 2 writes metrics as nested lists of MeanMetricWrapper dicts; keep names only."""
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {k: _metric_names(v) for k, v in metrics.items()}
    out = []
    for m in metrics if isinstance(metrics, list) else [metrics]:
        if isinstance(m, list):
            out.extend(_metric_names(m) or [])
        elif isinstance(m, str):
            out.append(m)
        elif isinstance(m, dict):
            config = m.get("config") or {}
            name = config.get("fn") or config.get("name") or m.get("class_name")
            if isinstance(name, str):
                out.append(name)
    return out


def compile_from_file(model, f) -> None:
    """Compile from ``training_config`` and restore ``optimizer_weights``; problems only warn (as Keras)."""
    from engine import optimizers  # noqa: PLC0415

    tc = h5_utils.read_json_attr(f, "training_config", required=False)
    if tc is None:
        return
    try:
        opt_cfg = tc.get("optimizer_config") or {"class_name": "RMSprop", "config": {}}
        class_name = str(opt_cfg.get("class_name", "RMSprop")).removeprefix("Custom>")
        cls = optimizers.OPTIMIZERS.lookup(class_name)
        optimizer = cls.from_config(_clean_optimizer_config(opt_cfg.get("config"), cls))
        model.compile(optimizer=optimizer, loss=_deserialize_loss(tc.get("loss")),
                      loss_weights=tc.get("loss_weights"), metrics=_metric_names(tc.get("metrics")),
                      weighted_metrics=_metric_names(tc.get("weighted_metrics")))
    except (ValueError, TypeError, KeyError, NotImplementedError) as e:
        warnings.warn(f"The file's training_config could not be used ({e}); the model is returned uncompiled.",
                      stacklevel=3)
        return
    if "optimizer_weights" in f:
        restore_optimizer_weights(model, h5_utils.safe_get(f, "optimizer_weights", kind="group"))


def _classify(name: str, slots: list[str]) -> tuple[str, str | None]:
    """("iteration" | "learning_rate" | "slot" | "other", engine slot name)."""
    base = name.rsplit(":", 1)[0]
    parts = base.split("/")
    last = parts[-1]
    if last in ("iteration", "iterations", "iter"):
        return "iteration", None
    if last in ("learning_rate", "lr"):
        return "learning_rate", None
    for slot in sorted(slots, key=len, reverse=True):  # Keras 3: <path>_<slot>
        if last.endswith(f"_{slot}"):
            return "slot", slot
    for part in (parts[1] if len(parts) > 2 else None, last):  # Keras 2: Adam/m/<var>, legacy <var>/m
        for candidate in SLOT_ALIASES.get(part, (part,)) if part else ():
            if candidate in slots:
                return "slot", candidate
    return "other", None


def restore_optimizer_weights(model, group) -> bool:
    """Assign the file's optimizer variables to the model's optimizer by slot and variable order."""
    opt = model.optimizer
    names = h5_utils.read_str_list_attr(group, "weight_names", where=" of optimizer_weights")
    variables = list(model.trainable_weights)
    if not hasattr(opt, "_slots") or not variables:
        return False
    opt.build(variables)
    slots = list(opt._slot_names)
    iteration, lr, by_slot, extras = None, None, {s: [] for s in slots}, []
    for name in names:
        ds = h5_utils.safe_get(group, name, kind="dataset", where=" in optimizer_weights")
        value = h5_utils.read_dataset(ds, max_elements=2**31, where=" in optimizer_weights")
        kind, slot = _classify(name, slots)
        if kind == "iteration":
            iteration = value
        elif kind == "learning_rate":
            lr = value
        elif kind == "slot":
            by_slot[slot].append(value)
        else:
            extras.append(value)
    problem = None
    index = [opt._index[id(v)] for v in variables]
    for slot, values in by_slot.items():
        if len(values) != len(variables):
            problem = f"{len(values)} {slot!r} arrays for {len(variables)} trainable variables"
            break
        for var, value in zip(variables, values, strict=True):
            if tuple(value.shape) != tuple(var.shape):
                problem = f"{slot!r} of {getattr(var, 'path', var.name)!r}: {value.shape} vs {tuple(var.shape)}"
                break
    if problem is None and iteration is None:
        problem = "no iteration count"
    if problem is not None:
        warnings.warn(f"The optimizer state in the file does not fit the model ({problem}); training starts "
                      f"with a freshly initialized optimizer.", stacklevel=4)
        return False
    opt.iterations = int(np.asarray(iteration).reshape(()))
    if lr is not None and isinstance(getattr(opt, "_learning_rate", None), int | float):
        opt._learning_rate = float(np.asarray(lr).reshape(()))
    for slot, values in by_slot.items():
        for i, value in zip(index, values, strict=True):
            arr = opt._slots[slot][i]
            arr[...] = to_device(value, dtype=arr.dtype)
    if extras and hasattr(opt, "_set_extra_state"):
        opt._set_extra_state(extras)
    return True
