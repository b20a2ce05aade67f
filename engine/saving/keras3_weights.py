"""Keras 3's weights-only layout (``model.save_weights("x.weights.h5")``, saving_lib's H5IOStore).

    layers/<snake_case(class)>[_k]/vars/0, 1, ...      (own variables, creation order; @name = layer name)
    layers/<lstm>/cell/vars/...                          (RNN layers keep their weights in the cell)
    layers/<bidirectional>/forward_layer/cell/vars/...   (and backward_layer)
    layers/<time_distributed>/layer/vars/...
    layers/<sequential>/layers/<dense>/vars/...          (nested models)
    vars/                                                (the model's own variables: none)

Group names come from class names (made unique in order), never from layer names, as Keras does. Each
engine layer's weights (Keras' legacy order) are split over these groups in the same order.
"""

from __future__ import annotations

import numpy as np

from engine.backend import to_cpu
from engine.registry import snake_case
from engine.saving import h5_utils
from engine.saving.errors import ModelFileError, WeightMismatchError
from engine.saving.legacy_h5 import legacy_weights

RNN_CLASSES = {"LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"}


def _container_layers(model) -> list:
    """``model.layers`` as Keras walks them: Sequential without, functional with their InputLayers."""
    layers = list(model.layers)
    if type(model).__name__ == "Functional" or (hasattr(model, "_nodes") and hasattr(model, "_inputs")):
        seen = {id(layer) for layer in layers}
        inputs = [t._keras_history[0] for t in getattr(model, "_inputs", [])]
        layers = [layer for layer in inputs if id(layer) not in seen] + layers
    return [layer for layer in layers if not (type(model).__name__ == "Sequential"
                                              and type(layer).__name__ == "InputLayer")]


def _is_container(layer) -> bool:
    return hasattr(layer, "layers") and hasattr(layer, "fit")


def _entries(layer, prefix: str) -> list[tuple[str, str, list]]:
    """(group path, layer name, weights) for ``layer`` at ``prefix``, in legacy weight order."""
    kind = type(layer).__name__
    if _is_container(layer):
        out = [(f"{prefix}/vars", layer.name, [])]
        used: dict[str, int] = {}
        for child in _container_layers(layer):
            base = snake_case(type(child).__name__)
            n = used.get(base, 0)
            used[base] = n + 1
            out += _entries(child, f"{prefix}/layers/{base if n == 0 else f'{base}_{n}'}")
        return out
    weights = legacy_weights(layer)
    if kind in RNN_CLASSES:
        return [(f"{prefix}/vars", layer.name, []), (f"{prefix}/cell/vars", f"{layer.name}_cell", weights)]
    if kind == "Bidirectional":
        fwd, bwd = layer.forward_layer, layer.backward_layer
        return ([(f"{prefix}/vars", layer.name, [])] + _entries(fwd, f"{prefix}/forward_layer")
                + _entries(bwd, f"{prefix}/backward_layer"))
    if kind == "TimeDistributed":
        return [(f"{prefix}/vars", layer.name, [])] + _entries(layer.layer, f"{prefix}/layer")
    return [(f"{prefix}/vars", layer.name, weights)]


def model_entries(model) -> list[tuple[str, str, list]]:
    if _is_container(model) and type(model).__name__ in ("Sequential", "Functional"):
        entries = _entries(model, "")
    else:  # subclassed: Keras walks attributes; the engine uses model.layers order, named by class
        entries = [("/vars", model.name, list(getattr(model, "_weights", [])))]
        used: dict[str, int] = {}
        for child in model.layers:
            base = snake_case(type(child).__name__)
            n = used.get(base, 0)
            used[base] = n + 1
            entries += _entries(child, f"/layers/{base if n == 0 else f'{base}_{n}'}")
    return [(path.lstrip("/"), name, weights) for path, name, weights in entries]


def write(f, model) -> None:
    for path, name, weights in model_entries(model):
        g = f.require_group(path)
        g.attrs["name"] = name
        for i, w in enumerate(weights):
            g.create_dataset(str(i), data=np.ascontiguousarray(to_cpu(w.data)).reshape(tuple(w.shape)))


def is_keras3_weights_file(f) -> bool:
    return "layers" in f or ("vars" in f and "layer_names" not in f.attrs)


def load(f, model, *, max_elements: int, skip_mismatch: bool = False) -> None:
    plan, total = [], 0
    for path, _, weights in model_entries(model):
        if not weights:
            continue
        group = h5_utils.safe_get(f, path, kind="group", where=" in the weights file")
        names = sorted((k for k in group.keys()), key=lambda k: int(k) if k.isdigit() else -1)
        if len(names) != len(weights) or not all(k.isdigit() for k in names):
            if skip_mismatch:
                continue
            raise WeightMismatchError(f"{path}: the model has {len(weights)} weights "
                                      f"{[tuple(w.shape) for w in weights]}, the file has {len(names)} ({names}).")
        arrays = []
        for var, key in zip(weights, names, strict=True):
            ds = h5_utils.safe_get(group, key, kind="dataset", where=f" in {path}")
            shape = h5_utils.dataset_shape(ds)
            if shape != tuple(var.shape):
                if skip_mismatch:
                    arrays = None
                    break
                raise WeightMismatchError(f"Shape mismatch in {path}/{key} ({getattr(var, 'path', var.name)}): "
                                          f"the model expects {tuple(var.shape)}, the file holds {shape}.")
            total += int(np.prod(shape))
            if total > max_elements:
                raise ModelFileError(f"The file's weights exceed the size limit of {max_elements} elements.")
            arrays.append(h5_utils.read_dataset(ds, max_elements=max_elements, where=f" in {path}"))
        if arrays is not None:
            plan.append((weights, arrays))
    for weights, arrays in plan:
        for var, value in zip(weights, arrays, strict=True):
            var.assign(value)
