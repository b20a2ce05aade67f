"""Shared checks for layer tests: numerical gradients through ``layer(...)``, config round trips, shapes."""

from __future__ import annotations

import numpy as np

from engine.autograd import Tensor
from engine.layers.base import LAYERS


def _first(out):
    return out[0] if isinstance(out, (list, tuple)) else out


def check_layer_grads(layer, *inputs, atol=1e-5, rtol=1e-4, eps=1e-6, wrt_inputs=True, **call_kwargs):
    """Compare autograd with central differences for d(sum(out * r))/d(inputs and trainable weights).

    The layer must have been made with ``dtype="float64"``; ``inputs`` are float64 arrays (several for merge
    layers: the layer is then called on a list).
    """
    arrays = [np.array(a, dtype=np.float64) for a in inputs]

    def run(arrs, grad=False):
        ts = [Tensor(a, requires_grad=grad) for a in arrs]
        out = layer(ts if len(ts) > 1 else ts[0], **call_kwargs)
        return ts, _first(out)

    _, out = run(arrays)
    r = np.random.default_rng(0).standard_normal(out.shape)
    for w in layer.trainable_weights:
        w.grad = None
    ts, out = run(arrays, grad=wrt_inputs)
    (out * Tensor(r)).sum().backward()

    def value():
        return float((_first(layer(arrays_t() if len(arrays) > 1 else Tensor(arrays[0]), **call_kwargs)).data
                      * r).sum())

    def arrays_t():
        return [Tensor(a) for a in arrays]

    def numeric(target):
        grad = np.zeros_like(target)
        for i in np.ndindex(target.shape):
            old = target[i]
            target[i] = old + eps
            plus = value()
            target[i] = old - eps
            minus = value()
            target[i] = old
            grad[i] = (plus - minus) / (2 * eps)
        return grad

    checked = []
    if wrt_inputs:
        for k, (a, t) in enumerate(zip(arrays, ts)):
            got = t.grad if t.grad is not None else np.zeros_like(a)
            np.testing.assert_allclose(got, numeric(a), atol=atol, rtol=rtol, err_msg=f"input {k}")
            checked.append(f"input {k}")
    for w in layer.trainable_weights:
        got = w.grad if w.grad is not None else np.zeros_like(w.data)
        np.testing.assert_allclose(got, numeric(w.data), atol=atol, rtol=rtol, err_msg=w.path)
        checked.append(w.path)
    return checked


def check_config_round_trip(layer):
    """from_config(get_config()) gives a layer of the same class and config; lookup by class name works."""
    config = layer.get_config()
    cls = LAYERS.lookup(type(layer).__name__)
    assert cls is type(layer)
    clone = cls.from_config(config)
    assert clone.get_config() == config
    return clone


def check_output_shape(layer, *inputs, **call_kwargs):
    """The eager output's shape equals compute_output_shape with a None batch axis."""
    out = layer(list(inputs) if len(inputs) > 1 else inputs[0], **call_kwargs)
    in_shapes = [(None, *np.shape(a)[1:]) for a in inputs]
    expected = layer.compute_output_shape(in_shapes if len(inputs) > 1 else in_shapes[0])
    outs = out if isinstance(out, (list, tuple)) else [out]
    exps = expected if isinstance(expected, list) else [expected]
    assert len(outs) == len(exps)
    for o, e in zip(outs, exps):
        assert (None, *o.shape[1:]) == tuple(e), (o.shape, e)
    return out
