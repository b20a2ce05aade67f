"""Exports beyond Keras .h5: ``to_onnx(model, path)`` (engine.export.onnx), ``to_python(model)``
(engine.export.python). Imported lazily: ``onnx`` is an optional dependency."""


def to_onnx(model, path, **kwargs):
    from engine.export.onnx import to_onnx as _to_onnx  # noqa: PLC0415

    return _to_onnx(model, path, **kwargs)


def to_python(model, *args, **kwargs):
    from engine.export.python import to_python as _to_python  # noqa: PLC0415

    return _to_python(model, *args, **kwargs)


__all__ = ["to_onnx", "to_python"]
