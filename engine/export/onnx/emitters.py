"""Layer class name → emitter ``(builder, layer, inputs, shapes) -> output name(s)``; TimeDistributed lives
here because it dispatches its inner layer through the same table."""

from __future__ import annotations

from engine.export.onnx.conv import _conv, _conv_transpose, _depthwise, _separable
from engine.export.onnx.core import (
    _activation_layer,
    _dense,
    _elu,
    _flatten,
    _identity,
    _leaky,
    _relu_layer,
    _reshape,
    _softmax,
)
from engine.export.onnx.embedding import _embedding
from engine.export.onnx.merge import _concat, _dot, _merge
from engine.export.onnx.normalization import _batchnorm, _layernorm
from engine.export.onnx.pooling import _global_pool, _pool
from engine.export.onnx.recurrent import _bidirectional, _recurrent
from engine.export.onnx.reshaping import (
    _cropping,
    _permute,
    _repeat_vector,
    _upsampling,
    _zero_padding,
)


def _time_distributed(b, layer, xs, shapes):
    inner = layer.layer
    if type(inner).__name__ in ("Dense", "Activation", "Dropout", "ReLU", "LeakyReLU", "ELU", "Softmax",
                                "Identity", "BatchNormalization", "LayerNormalization"):
        return EMITTERS[type(inner).__name__](b, inner, xs, shapes)
    raise NotImplementedError(f"ONNX export: TimeDistributed {layer.name!r} around {type(inner).__name__}.")


EMITTERS = {
    "Dense": _dense, "Conv1D": _conv, "Conv2D": _conv, "Conv3D": _conv,
    "MaxPooling1D": _pool("MaxPool"), "MaxPooling2D": _pool("MaxPool"), "MaxPooling3D": _pool("MaxPool"),
    "AveragePooling1D": _pool("AveragePool"), "AveragePooling2D": _pool("AveragePool"),
    "AveragePooling3D": _pool("AveragePool"),
    "GlobalAveragePooling1D": _global_pool("ReduceMean"), "GlobalAveragePooling2D": _global_pool("ReduceMean"),
    "GlobalMaxPooling1D": _global_pool("ReduceMax"), "GlobalMaxPooling2D": _global_pool("ReduceMax"),
    "GlobalAveragePooling3D": _global_pool("ReduceMean"), "GlobalMaxPooling3D": _global_pool("ReduceMax"),
    "BatchNormalization": _batchnorm, "LayerNormalization": _layernorm,
    "Activation": _activation_layer, "ReLU": _relu_layer, "LeakyReLU": _leaky, "ELU": _elu, "Softmax": _softmax,
    "Dropout": _identity, "SpatialDropout1D": _identity, "SpatialDropout2D": _identity,
    "GaussianNoise": _identity, "GaussianDropout": _identity, "AlphaDropout": _identity, "Identity": _identity,
    "ActivityRegularization": _identity,
    "Flatten": _flatten, "Reshape": _reshape, "Permute": _permute,
    "Add": _merge("Sum"), "Subtract": _merge("Sub"), "Multiply": _merge("Mul"), "Average": _merge("Sum", True),
    "Maximum": _merge("Max"), "Minimum": _merge("Min"), "Concatenate": _concat,
    "Embedding": _embedding, "LSTM": _recurrent("LSTM"), "GRU": _recurrent("GRU"),
    "SimpleRNN": _recurrent("SimpleRNN"),
    "ZeroPadding1D": _zero_padding, "ZeroPadding2D": _zero_padding, "ZeroPadding3D": _zero_padding,
    "Cropping1D": _cropping, "Cropping2D": _cropping, "Cropping3D": _cropping,
    "UpSampling1D": _upsampling, "UpSampling2D": _upsampling, "UpSampling3D": _upsampling,
    "RepeatVector": _repeat_vector, "DepthwiseConv2D": _depthwise, "DepthwiseConv1D": _depthwise,
    "SeparableConv2D": _separable, "SeparableConv1D": _separable,
    "Conv2DTranspose": _conv_transpose, "Conv1DTranspose": _conv_transpose, "Conv3DTranspose": _conv_transpose,
    "TimeDistributed": _time_distributed, "Dot": _dot, "Bidirectional": _bidirectional,
}
