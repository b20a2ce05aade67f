"""Activations by name (Keras 3): ``get("relu")`` → a function ``Tensor → Tensor``; ``serialize(fn)`` → name."""

from __future__ import annotations

from engine.autograd import Tensor
from engine.ops import activation as A
from engine.registry import Registry

ACTIVATIONS = Registry("activation")


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    return A.relu(_t(x), negative_slope=negative_slope, max_value=max_value, threshold=threshold)


def leaky_relu(x, negative_slope=0.2):
    return A.leaky_relu(_t(x), negative_slope)


def elu(x, alpha=1.0):
    return A.elu(_t(x), alpha)


def selu(x):
    return A.selu(_t(x))


def sigmoid(x):
    return A.sigmoid(_t(x))


def tanh(x):
    return A.tanh(_t(x))


def softmax(x, axis=-1):
    return A.softmax(_t(x), axis)


def log_softmax(x, axis=-1):
    return A.log_softmax(_t(x), axis)


def softplus(x):
    return A.softplus(_t(x))


def softsign(x):
    return A.softsign(_t(x))


def gelu(x, approximate=False):
    return A.gelu(_t(x), approximate)


def silu(x):
    return A.swish(_t(x))


swish = silu


def hard_sigmoid(x):
    return A.hard_sigmoid(_t(x))


def hard_silu(x):
    return A.hard_silu(_t(x))


hard_swish = hard_silu


def relu6(x):
    return A.relu6(_t(x))


def mish(x):
    return A.mish(_t(x))


def exponential(x):
    return A.exponential(_t(x))


def linear(x):
    return _t(x)


for _fn, _aliases in [(relu, ()), (leaky_relu, ()), (elu, ()), (selu, ()), (sigmoid, ()), (tanh, ()),
                      (softmax, ()), (log_softmax, ()), (softplus, ()), (softsign, ()), (gelu, ()),
                      (silu, ("swish",)), (hard_sigmoid, ()), (hard_silu, ("hard_swish",)), (relu6, ()),
                      (mish, ()), (exponential, ()), (linear, ())]:
    ACTIVATIONS.register(_fn, aliases=_aliases)


def get(identifier):
    """None → linear; a name (or Keras' {"class_name": name} form) → the function; callables pass."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return ACTIVATIONS.lookup(identifier)
    if isinstance(identifier, dict) and "class_name" in identifier:
        return ACTIVATIONS.lookup(identifier["class_name"])
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(fn) -> str:
    """The registered name (Keras writes "activation": "relu"); "silu" for swish as Keras 3 does."""
    if fn is None:
        return "linear"
    if isinstance(fn, str):
        fn = get(fn)
    name = ACTIVATIONS.canonical_name(fn)
    if name is None:
        raise ValueError(f"Cannot serialize activation {fn!r}: it is not a registered activation. "
                         f"Expected one of: {', '.join(sorted(ACTIVATIONS.names()))}.")
    return name


def deserialize(name):
    return get(name)


_FUSABLE = {relu: A.Relu, leaky_relu: A.LeakyRelu, elu: A.Elu, selu: A.Selu, sigmoid: A.Sigmoid, tanh: A.Tanh,
            softmax: A.Softmax, log_softmax: A.LogSoftmax, softplus: A.Softplus, softsign: A.Softsign,
            gelu: A.Gelu, silu: A.Swish, hard_sigmoid: A.HardSigmoid, hard_silu: A.HardSilu, relu6: A.Relu6,
            mish: A.Mish, exponential: A.Exponential}


def fusable(fn):
    """The op class of a built-in activation (called with its default arguments), for layers that fuse it
    into their own Function on raw arrays: ``op = cls(); out = op.forward(z); dz = op.backward(dout)``.
    None for ``linear``, unknown callables and names."""
    if isinstance(fn, str):
        fn = get(fn)
    return _FUSABLE.get(fn)
