"""Export an engine model to ONNX (``to_onnx(model, path)``), built with the ``onnx`` helper API.

Layouts follow the engine (Keras, channels_last): convolutions and pooling are wrapped in Transposes to
ONNX's NCHW; Dense is MatMul(+Add); BatchNormalization (inference) folds into one Mul and one Add; Embedding
is Gather; LSTM/GRU/SimpleRNN (and Bidirectional) map to ONNX's recurrent ops with Keras' gate order
converted (Keras LSTM i,f,c,o → ONNX i,o,f,c; GRU z,r,h is the same, ``reset_after=True`` is
``linear_before_reset=1``). Also: Depthwise/Separable/Transposed convolutions, ZeroPadding, Cropping,
UpSampling, RepeatVector, Permute, TimeDistributed(Dense...), Dot (2-D). "same" padding is TensorFlow's
(extra cell at the end), written as explicit pads. Layers without a mapping raise ``NotImplementedError``
naming them.

Files: ``convert.py`` (``to_onnx``), ``builder.py`` (the graph under construction), ``emitters.py`` (layer name →
emitter), and the emitters by layer family as in engine/layers: ``core.py``, ``conv.py``, ``pooling.py``,
``normalization.py``, ``reshaping.py``, ``merge.py``, ``embedding.py``, ``recurrent.py``.
"""

from engine.export.onnx.convert import OPSET, to_onnx
from engine.export.onnx.emitters import EMITTERS

__all__ = ["EMITTERS", "OPSET", "to_onnx"]
