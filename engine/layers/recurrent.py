"""Recurrent layers (Keras 3): SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed.

Each recurrent layer owns ``kernel`` (in, G*units), ``recurrent_kernel`` (units, G*units) and ``bias``
(G*units; GRU reset_after=True: (2, 3*units)) in that order, gate order LSTM i,f,c,o and GRU z,r,h, so
Keras .h5 weights map by position (FORMAT.md §8). The whole sequence runs in one fused op
(engine.ops.recurrent) when the activations are among tanh/sigmoid/hard_sigmoid/relu/linear, otherwise in a
per-step autograd loop with the same maths.

Masks (from ``Embedding(mask_zero=True)``) carry the states over masked steps, as Keras does; the output mask
is the input mask when ``return_sequences``. ``dropout`` drops input features (one mask for all steps and
gates), ``recurrent_dropout`` drops the previous hidden state inside the recurrent product(s).
"""

from __future__ import annotations

from engine import activations
from engine.autograd import Tensor
from engine.backend import get_xp, rng, xp_of
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops import math as M
from engine.ops import recurrent as R

_LEGACY = ("time_major", "implementation", "use_cudnn")


def _mask_array(mask):
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    if mask is None:
        return None
    return mask.data if isinstance(mask, Tensor) else mask


def _dropout_mask(shape, rate, dtype):
    keep = rng().random(shape, dtype="float32") >= rate
    return keep.astype(dtype) * dtype.type(1.0 / (1.0 - rate))


class _RNN(Layer):
    gates = 1
    n_states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, **kwargs):
        for key in _LEGACY:
            kwargs.pop(key, None)
        self.zero_output_for_mask = bool(kwargs.pop("zero_output_for_mask", False))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = C.positive_int(units, "units")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        C.weight_args(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        C.weight_args(self, "recurrent", recurrent_initializer, recurrent_regularizer, recurrent_constraint)
        C.weight_args(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.dropout = min(1.0, max(0.0, C.rate(dropout, "dropout")))
        self.recurrent_dropout = min(1.0, max(0.0, C.rate(recurrent_dropout, "recurrent_dropout")))
        self.seed = seed
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.supports_masking = True
        self.kernel = self.recurrent_kernel = self.bias = None
        self.states = None  # the last states when stateful

    # ---- shapes and weights
    def _check(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim=3, "
                             f"found ndim={len(shape)}. Full shape received: {C.fmt(shape)}")
        if shape[-1] is None:
            raise ValueError(f"The last dimension of the inputs to {type(self).__name__} should be defined. "
                             f"Full input shape received: {C.fmt(shape)}")
        return shape

    def _first(self, input_shape):
        """The sequence's shape when the inputs are [x, *initial_states]."""
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            return tuple(input_shape[0])
        return tuple(input_shape)

    def compute_output_shape(self, input_shape):
        shape = self._check(self._first(input_shape))
        out = (shape[0], shape[1], self.units) if self.return_sequences else (shape[0], self.units)
        if self.return_state:
            return [out] + [(shape[0], self.units)] * self.n_states
        return out

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        shape = self._check(self._first(input_shape))
        g = self.gates * self.units
        self.kernel = C.add(self, "kernel", "kernel", (shape[-1], g))
        self.recurrent_kernel = C.add(self, "recurrent", "recurrent_kernel", (self.units, g))
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(), self._bias_initializer(), self.bias_regularizer,
                                        self.bias_constraint)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        mask = _mask_array(mask)
        out = mask if self.return_sequences else None
        return [out] + [None] * self.n_states if self.return_state else out

    def reset_states(self):
        self.states = None

    # ---- running
    def call(self, inputs, initial_state=None, mask=None, training=None):
        if isinstance(inputs, (list, tuple)):
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        x = inputs
        n = x.shape[0]
        xp = xp_of(x.data)
        mask = _mask_array(mask)
        if initial_state is None and self.stateful and self.states is not None:
            initial_state = [Tensor(s) for s in self.states]
        if initial_state is None:
            initial_state = [Tensor(xp.zeros((n, self.units), dtype=x.dtype)) for _ in range(self.n_states)]
        elif not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        states = [s if isinstance(s, Tensor) else Tensor(get_xp().asarray(s, dtype=x.dtype)) for s in initial_state]
        if len(states) != self.n_states:
            raise ValueError(f"An `initial_state` was passed that is not compatible with `cell.state_size`. "
                             f"Received: {len(states)} states; {type(self).__name__} expects {self.n_states}.")
        rec_mask = None
        if training and 0 < self.dropout < 1:
            x = x * Tensor(_dropout_mask((n, 1, x.shape[-1]), self.dropout, x.dtype))
        if training and 0 < self.recurrent_dropout < 1:
            rec_mask = _dropout_mask((n, self.units), self.recurrent_dropout, x.dtype)
        names = (C.activation_name(self.activation), C.activation_name(self.recurrent_activation))
        if all(a in R.ACTIVATIONS for a in names):
            seq, finals = self._fused(x, states, mask, rec_mask, *names)
        else:
            seq, finals = self._stepwise(x, states, mask, rec_mask)
        if self.stateful:
            self.states = [f.data.copy() for f in finals]
        if self.return_sequences:
            out = seq
            if self.zero_output_for_mask and mask is not None:
                m = xp.asarray(mask)[:, ::-1] if self.go_backwards else xp.asarray(mask)
                out = out * Tensor(m[:, :, None].astype(x.dtype))
        else:
            out = finals[0]  # the last processed step's hidden state (the fused ops return it alone)
        return [out, *finals] if self.return_state else out

    def _stepwise(self, x, states, mask, rec_mask):
        """Generic path: one autograd step per time step (any activation functions)."""
        t = x.shape[1]
        order = range(t - 1, -1, -1) if self.go_backwards else range(t)
        xw = x @ self.kernel
        if self.use_bias:
            xw = xw + (self.bias[0] if self.bias.ndim == 2 else self.bias)
        xp = xp_of(x.data)
        outs = []
        for s in order:
            new = self._step(xw[:, s], states, rec_mask)
            if mask is not None:
                m = xp.asarray(mask)[:, s][:, None]
                new = [M.where(m, a, b) for a, b in zip(new, states)]
            states = new
            outs.append(states[0])
        return M.stack(outs, axis=1), states

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": C.serialize_activation(self.activation), "use_bias": self.use_bias,
                **C.weight_config(self, "kernel"), **C.weight_config(self, "recurrent"),
                **C.weight_config(self, "bias"), "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}


@register
class SimpleRNN(_RNN):
    """``h = activation(x @ kernel + h @ recurrent_kernel + bias)``."""

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(units, activation, "sigmoid", use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)

    def _fused(self, x, states, mask, rec_mask, act, _):
        seq = R.simple_rnn(x, states[0], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
                           rec_mask=rec_mask, go_backwards=self.go_backwards, activation=act,
                           last_only=not self.return_sequences)
        return (seq, [seq[:, -1]]) if self.return_sequences else (None, [seq])

    def _step(self, xw_t, states, rec_mask):
        h = states[0] * Tensor(rec_mask) if rec_mask is not None else states[0]
        return [self.activation(xw_t + h @ self.recurrent_kernel)]


@register
class LSTM(_RNN):
    """Gates i, f, c, o: ``c = σ(f) c + σ(i) tanh(g); h = σ(o) tanh(c)`` (σ = recurrent_activation)."""

    gates, n_states = 4, 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, return_sequences, return_state,
                         go_backwards, stateful, unroll, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def unit_forget(shape, dtype=None):
            xp = get_xp()
            parts = [xp.asarray(init((u,), dtype=dtype)), xp.ones((u,), dtype=dtype),
                     xp.asarray(init((2 * u,), dtype=dtype))]
            return xp.concatenate(parts)

        return unit_forget

    def _fused(self, x, states, mask, rec_mask, act, ract):
        u = self.units
        packed = R.lstm(x, states[0], states[1], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
                        rec_mask=rec_mask, go_backwards=self.go_backwards, activation=act,
                        recurrent_activation=ract, last_only=not self.return_sequences)
        if not self.return_sequences:  # (N, 2U): the last step's [h | c]
            return None, [packed[:, :u], packed[:, u:]]
        last = packed[:, -1]
        return packed[:, :, :u], [last[:, :u], last[:, u:]]

    def _step(self, xw_t, states, rec_mask):
        u = self.units
        h, c = states
        if rec_mask is not None:
            h = h * Tensor(rec_mask)
        z = xw_t + h @ self.recurrent_kernel
        ra, a = self.recurrent_activation, self.activation
        c = ra(z[:, u:2 * u]) * c + ra(z[:, :u]) * a(z[:, 2 * u:3 * u])
        return [ra(z[:, 3 * u:]) * a(c), c]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": C.serialize_activation(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


@register
class GRU(_RNN):
    """Gates z, r, h: ``h = z * h_prev + (1 - z) * n``; reset_after=True (default) has a (2, 3*units) bias."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, return_sequences, return_state,
                         go_backwards, stateful, unroll, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _fused(self, x, states, mask, rec_mask, act, ract):
        seq = R.gru(x, states[0], self.kernel, self.recurrent_kernel, self.bias, mask=mask, rec_mask=rec_mask,
                    go_backwards=self.go_backwards, activation=act, recurrent_activation=ract,
                    reset_after=self.reset_after, last_only=not self.return_sequences)
        return (seq, [seq[:, -1]]) if self.return_sequences else (None, [seq])

    def _step(self, xw_t, states, rec_mask):
        u = self.units
        h = states[0]
        hin = h * Tensor(rec_mask) if rec_mask is not None else h
        ra, a = self.recurrent_activation, self.activation
        rk = self.recurrent_kernel
        if self.reset_after:
            hr = hin @ rk
            if self.use_bias:
                hr = hr + self.bias[1]
            z = ra(xw_t[:, :u] + hr[:, :u])
            r = ra(xw_t[:, u:2 * u] + hr[:, u:2 * u])
            n = a(xw_t[:, 2 * u:] + r * hr[:, 2 * u:])
        else:
            z = ra(xw_t[:, :u] + hin @ rk[:, :u])
            r = ra(xw_t[:, u:2 * u] + hin @ rk[:, u:2 * u])
            n = a(xw_t[:, 2 * u:] + (r * hin) @ rk[:, 2 * u:])
        return [z * h + (1.0 - z) * n]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": C.serialize_activation(self.recurrent_activation),
                "reset_after": self.reset_after}


# ---------------------------------------------------------------- wrappers


def _serialize(layer, config=None) -> dict:
    from engine.layers.base import LAYERS  # noqa: PLC0415

    name = LAYERS.canonical_name(layer) or type(layer).__name__
    return {"module": "keras.layers", "class_name": name, "config": config or layer.get_config(),
            "registered_name": None}


def _deserialize(config):
    if isinstance(config, Layer):
        return config
    from engine.layers import deserialize  # noqa: PLC0415

    return deserialize(config)


@register
class Bidirectional(Layer):
    """Runs ``layer`` forwards and a copy with ``go_backwards`` flipped; merges with concat/sum/mul/ave/None.

    Weights: the forward layer's, then the backward layer's. With return_sequences the backward outputs are
    flipped back to input order before merging (and masked steps output zeros, as Keras).
    """

    MODES = ("sum", "mul", "ave", "concat", None)

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        layer = _deserialize(layer)
        if not isinstance(layer, _RNN):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance "
                             f"(an RNN layer: SimpleRNN, LSTM or GRU). Received: {layer}")
        if merge_mode not in self.MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             f"{{'sum', 'mul', 'ave', 'concat', None}}")
        super().__init__(**kwargs)
        config = layer.get_config()
        self.forward_layer = type(layer).from_config({**config, "name": "forward_" + layer.name})
        if backward_layer is None:
            back = {**config, "name": "backward_" + layer.name, "go_backwards": not config["go_backwards"]}
            self.backward_layer = type(layer).from_config(back)
        else:
            self.backward_layer = _deserialize(backward_layer)
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        if weights is not None:
            self._initial_weights = weights

    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(input_shape)
                sub.built = True
        self.built = True

    def _merge_shape(self, a, b):
        if self.merge_mode == "concat":
            return (*a[:-1], a[-1] + b[-1])
        return tuple(a)

    def compute_output_shape(self, input_shape):
        f = self.forward_layer.compute_output_shape(input_shape)
        b = self.backward_layer.compute_output_shape(input_shape)
        if self.return_state:
            out, states = (f[0], b[0]), f[1:] + b[1:]
        else:
            out, states = (f, b), []
        outs = list(out) if self.merge_mode is None else [self._merge_shape(*out)]
        return outs + states if (self.return_state or self.merge_mode is None) else outs[0]

    def call(self, inputs, initial_state=None, mask=None, training=None):
        f_init = b_init = None
        if initial_state is not None:
            half = len(initial_state) // 2
            f_init, b_init = initial_state[:half], initial_state[half:]
        y = self.forward_layer(inputs, initial_state=f_init, mask=mask, training=training)
        y_rev = self.backward_layer(inputs, initial_state=b_init, mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            out = M.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) * 0.5
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            return [y, y_rev, *states]
        return [out, *states] if self.return_state else out

    def compute_mask(self, inputs, mask=None):
        mask = _mask_array(mask)
        out = mask if self.return_sequences else None
        if self.merge_mode is None:
            out = [out, out]
        elif self.return_state:
            out = [out]
        if self.return_state:
            n = self.forward_layer.n_states * 2
            out = list(out) + [None] * n
        return out

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _serialize(self.forward_layer, {**self.forward_layer.get_config(),
                                                         "name": self.forward_layer.name.removeprefix("forward_")}),
                "backward_layer": _serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _deserialize(config["backward_layer"])
        return cls(**config)


@register
class TimeDistributed(Layer):
    """Applies ``layer`` to every time slice: (batch, time, ...) → (batch * time, ...) → layer → back."""

    def __init__(self, layer, **kwargs):
        layer = _deserialize(layer)
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {C.fmt(shape)}")
        return (shape[0], *shape[2:])

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(self._child_shape(input_shape))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None):
        n, t = inputs.shape[0], inputs.shape[1]
        flat = inputs.reshape(n * t, *inputs.shape[2:])
        out = self.layer(flat, training=training)
        return out.reshape(n, t, *out.shape[1:])

    def get_config(self):
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"])
        return cls(**config)
