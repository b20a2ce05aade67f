"""Restricted Boltzmann machines and deep belief networks.

``RBM`` is a Bernoulli-Bernoulli RBM. Used as a layer it computes the hidden probabilities
``sigmoid(x @ kernel + bias)`` (so it can sit in a model and be fine-tuned like a Dense layer); its
``pretrain(x, epochs, learning_rate, k=1)`` runs contrastive divergence CD-k on the visible data (values in
[0, 1]). Weights, in order: ``kernel`` (visible, hidden), ``bias`` (hidden,), ``visible_bias`` (visible,) — the
visible bias is only changed by pre-training (non-trainable for gradient descent).

``DBN`` stacks RBMs, pre-trains them greedily (each on the hidden probabilities of the one below) and builds a
``Sequential`` MLP of ``Dense(sigmoid)`` layers initialised from the RBMs' kernels and hidden biases, plus an
output layer, to fine-tune with backpropagation.
"""

from __future__ import annotations

from engine.autograd import no_grad
from engine.backend import floatx, get_xp, rng, to_cpu, to_device
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops import nn
from engine.ops.activation import sigmoid_array

_SMALL_NORMAL = {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.01, "seed": None}}


@register
class RBM(Layer):
    def __init__(self, units, kernel_initializer=None, bias_initializer="zeros", visible_bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units = C.positive_int(units, "units")
        C.weight_args(self, "kernel", kernel_initializer or _SMALL_NORMAL, kernel_regularizer, kernel_constraint)
        C.weight_args(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        C.weight_args(self, "visible_bias", visible_bias_initializer)
        self.kernel = self.bias = self.visible_bias = None

    def build(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != 2 or shape[-1] is None:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim=2 "
                             f"(batch, visible units) with a defined last axis. Full shape received: {C.fmt(shape)}")
        self.kernel = C.add(self, "kernel", "kernel", (shape[-1], self.units))
        self.bias = C.add(self, "bias", "bias", (self.units,))
        self.visible_bias = C.add(self, "visible_bias", "visible_bias", (shape[-1],), trainable=False)
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != 2:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim=2, "
                             f"found ndim={len(shape)}. Full shape received: {C.fmt(shape)}")
        return (shape[0], self.units)

    def call(self, inputs):
        return nn.linear(inputs, self.kernel, self.bias, activation="sigmoid")

    # ---- the generative side (raw arrays, no autograd)
    def _prepare(self, x):
        data = to_device(x, dtype=self.dtype)
        if not self.built:
            self.build((None, data.shape[-1]))
        return data

    def hidden_probabilities(self, v):
        return sigmoid_array(v @ self.kernel.data + self.bias.data)

    def visible_probabilities(self, h):
        return sigmoid_array(h @ self.kernel.data.T + self.visible_bias.data)

    def reconstruct(self, x):
        """v → p(h|v) → p(v|h): the mean-field reconstruction (an array on the current device)."""
        return self.visible_probabilities(self.hidden_probabilities(self._prepare(x)))

    def free_energy(self, x):
        """F(v) = -v·b_v - Σ softplus(v W + b_h), per sample (lower = more probable under the model)."""
        v = self._prepare(x)
        xp = get_xp()
        pre = v @ self.kernel.data + self.bias.data
        softplus = xp.logaddexp(0, pre)
        return -(v @ self.visible_bias.data) - softplus.sum(axis=1)

    def pretrain(self, x, epochs=10, learning_rate=0.1, k=1, batch_size=32, momentum=0.5, weight_decay=0.0,
                 shuffle=True, verbose=0):
        """Contrastive divergence CD-k; returns {"reconstruction_error": [mean squared error per epoch]}."""
        if k < 1:
            raise ValueError(f"Expected k >= 1 Gibbs steps. Received: k={k}")
        data = self._prepare(x)
        xp = get_xp()
        n = data.shape[0]
        gen = rng()
        w, bh, bv = self.kernel.data, self.bias.data, self.visible_bias.data
        vel = [xp.zeros_like(w), xp.zeros_like(bh), xp.zeros_like(bv)]
        lr = float(learning_rate)
        history = []
        for epoch in range(int(epochs)):
            order = xp.argsort(gen.random(n)) if shuffle else xp.arange(n)
            total = 0.0
            for start in range(0, n, batch_size):
                v0 = data[order[start:start + batch_size]]
                m = v0.shape[0]
                ph0 = self.hidden_probabilities(v0)
                h = (gen.random(ph0.shape, dtype="float32") < ph0).astype(v0.dtype)
                for step in range(k):
                    vk = self.visible_probabilities(h)
                    phk = self.hidden_probabilities(vk)
                    if step < k - 1:
                        h = (gen.random(phk.shape, dtype="float32") < phk).astype(v0.dtype)
                grads = ((v0.T @ ph0 - vk.T @ phk) / m - weight_decay * w,
                         (ph0 - phk).mean(axis=0), (v0 - vk).mean(axis=0))
                for var, vv, g in zip((w, bh, bv), vel, grads):
                    vv *= momentum
                    vv += lr * g
                    var += vv
                diff = v0 - vk
                total += float((diff * diff).sum())
            history.append(total / (n * data.shape[1]))
            if verbose:
                print(f"RBM {self.name} epoch {epoch + 1}/{epochs} - reconstruction error {history[-1]:.5f}")
        return {"reconstruction_error": history}

    def get_config(self):
        return {**super().get_config(), "units": self.units, **C.weight_config(self, "kernel"),
                **C.weight_config(self, "bias"),
                "visible_bias_initializer": C.weight_config(self, "visible_bias", False, False)[
                    "visible_bias_initializer"]}


class DBN:
    """A deep belief network: a stack of RBMs pre-trained greedily, fine-tuned as an MLP.

    >>> dbn = DBN([128, 64])
    >>> dbn.pretrain(x, epochs=5)                        # layer-wise CD-1
    >>> model = dbn.to_model(output_units=10)             # Dense(sigmoid) x 2 from the RBMs + Dense(10, softmax)
    >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"]); model.fit(x, y)
    """

    def __init__(self, hidden_units, name="dbn"):
        if not hidden_units:
            raise ValueError("A DBN needs at least one hidden layer. Received: hidden_units=[]")
        self.hidden_units = [C.positive_int(u, "hidden_units") for u in hidden_units]
        self.name = name
        self.rbms = [RBM(u, name=f"{name}_rbm_{i}") for i, u in enumerate(self.hidden_units)]

    def pretrain(self, x, epochs=10, learning_rate=0.1, k=1, batch_size=32, verbose=0, **kwargs):
        """Greedy layer-wise pre-training; returns one history per RBM."""
        data = to_device(x, dtype=floatx())
        histories = []
        for rbm in self.rbms:
            histories.append(rbm.pretrain(data, epochs=epochs, learning_rate=learning_rate, k=k,
                                          batch_size=batch_size, verbose=verbose, **kwargs))
            with no_grad():
                data = rbm.hidden_probabilities(data)
        return histories

    def transform(self, x):
        """The top hidden layer's probabilities (features for another model)."""
        data = to_device(x, dtype=floatx())
        for rbm in self.rbms:
            data = rbm.hidden_probabilities(data)
        return data

    def to_model(self, output_units=None, output_activation="softmax"):
        """A Sequential MLP: Input, Dense(u, sigmoid) per RBM (weights copied), optional output Dense."""
        from engine.layers.core import Dense, Input  # noqa: PLC0415 - core and models import this package
        from engine.models import Sequential  # noqa: PLC0415

        if not self.rbms[0].built:
            raise ValueError("Call `pretrain(x)` (or build the RBMs) before `to_model()`.")
        visible = self.rbms[0].kernel.shape[0]
        layers = [Input(shape=(visible,))]
        for rbm in self.rbms:
            layers.append(Dense(rbm.units, activation="sigmoid", name=rbm.name.replace("_rbm_", "_dense_")))
        if output_units is not None:
            layers.append(Dense(output_units, activation=output_activation, name=f"{self.name}_output"))
        model = Sequential(layers, name=self.name)
        for rbm, dense in zip(self.rbms, model.layers):
            dense.set_weights([to_cpu(rbm.kernel.data), to_cpu(rbm.bias.data)])
        return model



