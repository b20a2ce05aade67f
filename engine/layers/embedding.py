"""Embedding (Keras 3): integer ids → rows of ``embeddings`` (input_dim, output_dim); ``mask_zero`` masks id 0."""

from __future__ import annotations

from engine.autograd import Tensor
from engine.backend import xp_of
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops.embedding import embedding


@register
class Embedding(Layer):
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        kwargs.pop("input_length", None)  # Keras 2 configs
        super().__init__(**kwargs)
        self.input_dim = C.positive_int(input_dim, "input_dim")
        self.output_dim = C.positive_int(output_dim, "output_dim")
        C.weight_args(self, "embeddings", embeddings_initializer, embeddings_regularizer, embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None

    def build(self, input_shape=None):
        self.embeddings = C.add(self, "embeddings", "embeddings", (self.input_dim, self.output_dim))
        self.built = True

    def call(self, inputs):
        return embedding(inputs, self.embeddings)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        data = inputs.data if isinstance(inputs, Tensor) else inputs
        return xp_of(data).not_equal(data, 0)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                **C.weight_config(self, "embeddings"), "mask_zero": self.mask_zero}
