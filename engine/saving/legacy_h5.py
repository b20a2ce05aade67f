"""Keras' legacy HDF5 model file (``model.save("m.h5")`` / ``load_model``), as FORMAT.md describes it.

Layout: root attrs ``keras_version``, ``backend``, ``model_config`` (+ ``training_config``), group
``model_weights`` (``layer_names``; per layer ``weight_names`` and datasets), and ``optimizer_weights``.
Weights are matched by position: the model's layers that own weights, in order, against the file's
layers whose ``weight_names`` is not empty.
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from engine.backend import to_cpu
from engine.saving import h5_utils
from engine.saving.errors import ModelFileError, WeightMismatchError
from engine.saving.h5_utils import read_str_list_attr, safe_get, write_str_list_attr
from engine.saving.size_guard import DEFAULT_MAX_ELEMENTS, weight_budget

KERAS_VERSION = "3.15.1"  # the Keras release whose format (FORMAT.md) the files follow
BACKEND = "numpy"


# ---- weights of layers ------------------------------------------------------------------------------
def legacy_weights(layer) -> list:
    """Keras' legacy order: trainable weights, then non-trainable ones."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def is_input_layer(layer) -> bool:
    return type(layer).__name__ == "InputLayer"


def _weight_names(layer, weights) -> list[str]:
    names, seen = [], set()
    for i, w in enumerate(weights):
        name = str(getattr(w, "path", None) or getattr(w, "name", None) or f"{layer.name}/weight_{i}")
        name = "/".join(p for p in name.replace(":", "_").split("/") if p not in ("", ".", "..")) or f"w{i}"
        base, k = name, 1
        while name in seen or any(s.startswith(name + "/") or name.startswith(s + "/") for s in seen):
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        names.append(name)
    return names


def write_weights(group, layers) -> None:
    """``layer_names`` + one group per layer with ``weight_names`` and float datasets (Keras' shapes)."""
    names = [layer.name for layer in layers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Cannot save: several layers are named {duplicates}; layer names must be unique.")
    write_str_list_attr(group, "layer_names", names)
    group.attrs["backend"] = BACKEND
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in layers:
        lg = group.create_group(layer.name)
        weights = legacy_weights(layer)
        wnames = _weight_names(layer, weights)
        write_str_list_attr(lg, "weight_names", wnames)
        for wname, w in zip(wnames, weights, strict=True):
            # reshape: ascontiguousarray makes a scalar weight (Normalization's count) 1-D
            lg.create_dataset(wname, data=np.ascontiguousarray(to_cpu(w.data)).reshape(tuple(w.shape)))


def read_weight_layers(group, *, where: str) -> list[tuple[str, object, list[str]]]:
    """The file's layers that hold weights: (name, group, weight_names) in ``layer_names`` order."""
    out = []
    for name in read_str_list_attr(group, "layer_names", where=where):
        lg = safe_get(group, name, kind="group", where=where)
        wnames = read_str_list_attr(lg, "weight_names", where=f" of layer {name!r}")
        if wnames:
            out.append((name, lg, wnames))
    return out


def load_weights_into(layers, group, *, where: str, max_elements: int = DEFAULT_MAX_ELEMENTS,
                      skip_mismatch: bool = False) -> None:
    """Assign the file's weights to ``layers`` by position; all checks pass before anything is assigned."""
    model_layers = [layer for layer in layers if legacy_weights(layer)]
    file_layers = read_weight_layers(group, where=where)
    if len(model_layers) != len(file_layers) and not skip_mismatch:
        raise WeightMismatchError(
            f"Layer count mismatch: the model has {len(model_layers)} layers with weights "
            f"{[layer.name for layer in model_layers]}, the file has {len(file_layers)} "
            f"{[name for name, _, _ in file_layers]}.")
    plan, total = [], 0
    for layer, (fname, lg, wnames) in zip(model_layers, file_layers):
        variables = legacy_weights(layer)
        if len(variables) != len(wnames):
            if skip_mismatch:
                continue
            raise WeightMismatchError(
                f"Layer {layer.name!r} ({type(layer).__name__}) has {len(variables)} weights "
                f"{[tuple(v.shape) for v in variables]}, the file's layer {fname!r} has {len(wnames)} "
                f"{wnames}.")
        arrays = []
        for var, wname in zip(variables, wnames, strict=True):
            ds = safe_get(lg, wname, kind="dataset", where=f" in layer {fname!r}")
            shape = h5_utils.dataset_shape(ds)
            if shape != tuple(var.shape):
                if skip_mismatch:
                    arrays = None
                    break
                raise WeightMismatchError(
                    f"Shape mismatch in layer {layer.name!r} ({type(layer).__name__}), weight "
                    f"{getattr(var, 'name', wname)!r}: the model expects {tuple(var.shape)}, the file's "
                    f"{fname}/{wname} holds {shape}.")
            total += int(np.prod(shape))
            if total > max_elements:
                raise ModelFileError(f"The file's weights exceed the size limit of {max_elements} elements.")
            arrays.append(h5_utils.read_dataset(ds, max_elements=max_elements, where=f" in layer {fname!r}"))
        if arrays is not None:
            plan.append((variables, arrays))
    for variables, arrays in plan:
        for var, value in zip(variables, arrays, strict=True):
            var.assign(value)


# ---- whole model --------------------------------------------------------------------------------------
def model_layers_for_file(model) -> list:
    """``model.layers`` as Keras lists them in ``layer_names`` (Sequential: without its InputLayer)."""
    layers = list(model.layers)
    if type(model).__name__ == "Sequential":
        layers = [layer for layer in layers if not is_input_layer(layer)]
    return layers


def _atomic_h5(filepath, writer) -> None:
    """Write to a temporary file beside the target, then rename: a crash never leaves a half file."""
    import h5py  # noqa: PLC0415

    filepath = os.fspath(filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".h5.tmp", dir=directory)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            writer(f)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Write ``model`` as a Keras legacy .h5 file that real Keras 3 ``load_model`` opens."""
    from engine.saving.model_config import model_to_config  # noqa: PLC0415
    from engine.saving.training import optimizer_weights, training_config  # noqa: PLC0415

    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        raise ValueError(f"The engine writes Keras' HDF5 format; use a name ending in .h5, not {filepath!r}.")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath!r} exists and overwrite=False.")
    config = model_to_config(model)
    tc = training_config(model)
    opt = optimizer_weights(model) if (include_optimizer and tc is not None) else []

    def write(f):
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        f.attrs["model_config"] = json.dumps(config)
        write_weights(f.create_group("model_weights"), model_layers_for_file(model))
        top = f["model_weights"].create_group("top_level_model_weights")
        write_str_list_attr(top, "weight_names", [])
        if tc is not None:
            f.attrs["training_config"] = json.dumps(tc)
        if opt:
            g = f.create_group("optimizer_weights")
            write_str_list_attr(g, "weight_names", [name for name, _ in opt])
            for name, value in opt:
                g.create_dataset(name, data=value)

    _atomic_h5(filepath, write)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True,
               max_weight_elements: int = DEFAULT_MAX_ELEMENTS):
    """Read a legacy .h5 written by real Keras 3, Keras 2 or the engine. Never runs code from the file.

    ``custom_objects`` and ``safe_mode`` exist for Keras' signature: custom classes are never loaded and
    loading is always safe (a Lambda layer is refused).
    """
    from engine.saving.model_config import model_from_config  # noqa: PLC0415
    from engine.saving.training import compile_from_file  # noqa: PLC0415

    if custom_objects:
        raise ValueError("custom_objects are not supported: the engine loads only built-in layers.")
    with h5_utils.reading(filepath):
        with h5_utils.open_h5(filepath) as f:
            if "model_config" not in f.attrs:
                if "layer_names" in f.attrs or "layers" in f or "vars" in f:
                    raise ModelFileError(f"{os.fspath(filepath)!r} holds weights only (no model_config): rebuild "
                                         f"the model in code and call model.load_weights().")
                raise ModelFileError(f"{os.fspath(filepath)!r} has no model_config attribute: not a Keras "
                                     f"model file.")
            config = h5_utils.read_json_attr(f, "model_config")
            with weight_budget(max_weight_elements):
                model = model_from_config(config)
            weights = safe_get(f, "model_weights", kind="group") if "model_weights" in f else None
            if weights is None:
                raise ModelFileError(f"{os.fspath(filepath)!r} has no 'model_weights' group: the file is "
                                     f"incomplete.")
            load_weights_into(model_layers_for_file(model), weights, where=" in model_weights",
                              max_elements=max_weight_elements)
            if compile:
                compile_from_file(model, f)
        return model


def read_model_config(filepath) -> dict:
    """The architecture stored in a Keras .h5 file (``{"class_name", "config"}``), without loading weights.

    Safe like ``load_model``: nothing from the file is run, and every read failure is a ``ModelFileError``.
    """
    with h5_utils.reading(filepath), h5_utils.open_h5(filepath) as f:
        if "model_config" not in f.attrs:
            raise ModelFileError(f"{os.fspath(filepath)!r} has no model_config attribute: it holds weights only "
                                 "or is not a Keras model file.")
        config = h5_utils.read_json_attr(f, "model_config")
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelFileError(f"{os.fspath(filepath)!r}: model_config is not a Keras model config.")
    return config
