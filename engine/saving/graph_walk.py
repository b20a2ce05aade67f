"""The call graph of a Sequential or functional model, as a flat list of layer calls (for exporters)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Sym:
    """A stand-in tensor for Sequential models that keep no symbolic graph."""

    shape: tuple
    dtype: str = "float32"


@dataclass
class Call:
    layer: object
    inputs: list
    outputs: list


@dataclass
class Graph:
    inputs: list
    input_names: list[str]
    input_dtypes: list[str]
    calls: list[Call] = field(default_factory=list)
    outputs: list = field(default_factory=list)

    @staticmethod
    def shape(t) -> tuple:
        return tuple(t.shape)


def _flatten(x) -> list:
    if isinstance(x, list | tuple):
        return [t for item in x for t in _flatten(item)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _flatten(v)]
    return [x]


def _functional_graph(model) -> Graph:
    inputs = list(model.inputs)
    names = [t._keras_history[0].name for t in inputs]
    graph = Graph(inputs, names, [str(getattr(t, "dtype", "float32")) for t in inputs])
    for node in model._nodes:
        graph.calls.append(Call(node.layer, list(node.input_tensors), list(node.output_tensors)))
    graph.outputs = list(model.outputs)
    return graph


def walk(model) -> Graph:
    """Functional models: their nodes in execution order. Sequential: the layer chain from its input."""
    if hasattr(model, "_nodes") and hasattr(model, "inputs") and not type(model).__name__ == "Sequential":
        return _functional_graph(model)
    inner = getattr(model, "_functional", None)
    if inner is not None and hasattr(inner, "_nodes"):
        graph = _functional_graph(inner)
        return graph
    from engine.saving.model_config import sequential_input  # noqa: PLC0415

    batch_shape, dtype, name = sequential_input(model)
    if batch_shape is None:
        raise ValueError(f"Model {model.name!r} has no known input shape; build it first.")
    x = _Sym(tuple(batch_shape), dtype or "float32")
    graph = Graph([x], [name or "input"], [x.dtype])
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        out_shape = layer.compute_output_shape(x.shape)
        y = _Sym(tuple(out_shape))
        graph.calls.append(Call(layer, [x], [y]))
        x = y
    graph.outputs = [x]
    return graph
