"""The ONNX graph under construction (``_Builder``: fresh names, constants, nodes, activations) and what
the emitters read of a layer (config, weights in Keras order)."""

from __future__ import annotations

import numpy as np

from engine.backend import to_cpu


def _onnx():
    try:
        import onnx  # noqa: PLC0415 - optional (dev extra)
        from onnx import helper, numpy_helper  # noqa: PLC0415
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("ONNX export needs the `onnx` package (pip install onnx).") from e
    return onnx, helper, numpy_helper


def _cfg(layer) -> dict:
    return layer.get_config()


def _weights(layer) -> list[np.ndarray]:
    from engine.saving.legacy_h5 import legacy_weights  # noqa: PLC0415

    return [np.asarray(to_cpu(w.data)) for w in legacy_weights(layer)]


def _activation_name(value) -> str:
    if value is None:
        return "linear"
    if isinstance(value, dict):
        value = value.get("config") if value.get("class_name") == "function" else value.get("class_name")
    if callable(value):
        from engine import activations  # noqa: PLC0415

        value = activations.serialize(value)
    return str(value).lower()


class _Builder:
    def __init__(self):
        _, self.helper, self.numpy_helper = _onnx()
        self.nodes, self.initializers, self._n = [], [], 0
        self.shapes: dict[str, int] = {}

    def fresh(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, hint: str, value, dtype=np.float32) -> str:
        name = self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs, hint: str, n_out: int = 1, **attrs) -> str | list[str]:
        outs = [self.fresh(f"{hint}_{op_type}") for _ in range(n_out)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outs, name=self.fresh(hint), **attrs))
        return outs[0] if n_out == 1 else outs

    # ---- activations
    def activation(self, name, x: str, hint: str) -> str:
        a = _activation_name(name)
        simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
                  "softsign": "Softsign", "selu": "Selu", "elu": "Elu", "exponential": "Exp"}
        if a in ("linear", "identity"):
            return x
        if a in simple:
            return self.op(simple[a], [x], hint)
        if a == "softmax":
            return self.op("Softmax", [x], hint, axis=-1)
        if a == "log_softmax":
            return self.op("LogSoftmax", [x], hint, axis=-1)
        if a in ("swish", "silu"):
            return self.op("Mul", [x, self.op("Sigmoid", [x], hint)], hint)
        if a == "relu6":
            return self.op("Clip", [x, self.const("zero", 0.0), self.const("six", 6.0)], hint)
        if a == "hard_sigmoid":
            return self.op("HardSigmoid", [x], hint, alpha=1.0 / 6.0, beta=0.5)
        if a == "leaky_relu":
            return self.op("LeakyRelu", [x], hint, alpha=0.2)
        if a == "gelu":  # exact: 0.5 x (1 + erf(x / sqrt 2))
            erf = self.op("Erf", [self.op("Mul", [x, self.const("rsqrt2", 1 / np.sqrt(2))], hint)], hint)
            half = self.op("Mul", [x, self.const("half", 0.5)], hint)
            return self.op("Mul", [half, self.op("Add", [erf, self.const("one", 1.0)], hint)], hint)
        raise NotImplementedError(f"ONNX export: activation {a!r} is not supported.")

    def to_channels_first(self, x: str, rank: int, hint: str) -> str:
        return self.op("Transpose", [x], hint, perm=[0, rank - 1, *range(1, rank - 1)])

    def to_channels_last(self, x: str, rank: int, hint: str) -> str:
        return self.op("Transpose", [x], hint, perm=[0, *range(2, rank), 1])
