import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from engine.autograd import Tensor
from engine.backend import set_seed
from engine.layers.embedding import Embedding
from engine.layers.recurrent import GRU, LSTM, Bidirectional, SimpleRNN, TimeDistributed

from .checks import check_config_round_trip, check_layer_grads, check_output_shape

RNG = np.random.default_rng(0)


def sig(x):
    return 1 / (1 + np.exp(-x))


def naive(layer, x, mask=None):
    """Keras' cell maths step by step with the layer's weights (FORMAT.md §8); → (sequence, states)."""
    k, r = layer.kernel.numpy(), layer.recurrent_kernel.numpy()
    b = layer.bias.numpy() if layer.bias is not None else np.zeros(k.shape[1])
    n, u = x.shape[0], layer.units
    states = [np.zeros((n, u)) for _ in range(layer.n_states)]
    act = {"tanh": np.tanh, "softsign": lambda v: v / (1 + abs(v)), "relu": lambda v: np.maximum(v, 0)}
    a = act.get(getattr(layer.activation, "__name__", "tanh"), np.tanh)
    outs = []
    steps = range(x.shape[1])[::-1] if layer.go_backwards else range(x.shape[1])
    for t in steps:
        xt = x[:, t]
        if isinstance(layer, LSTM):
            h, c = states
            z = xt @ k + h @ r + b
            c = sig(z[:, u:2 * u]) * c + sig(z[:, :u]) * a(z[:, 2 * u:3 * u])
            new = [sig(z[:, 3 * u:]) * a(c), c]
        elif isinstance(layer, GRU):
            (h,) = states
            if layer.reset_after:
                xz, xr, xh = np.split(xt @ k + b[0], 3, axis=1)
                hz, hr, hh = np.split(h @ r + b[1], 3, axis=1)
                z, rr = sig(xz + hz), sig(xr + hr)
                nn = a(xh + rr * hh)
            else:
                xz, xr, xh = np.split(xt @ k + b, 3, axis=1)
                z, rr = sig(xz + h @ r[:, :u]), sig(xr + h @ r[:, u:2 * u])
                nn = a(xh + (rr * h) @ r[:, 2 * u:])
            new = [z * h + (1 - z) * nn]
        else:
            new = [a(xt @ k + states[0] @ r + b)]
        if mask is not None:
            new = [np.where(mask[:, t][:, None], s1, s0) for s1, s0 in zip(new, states)]
        states = new
        outs.append(states[0])
    return np.stack(outs, axis=1), states


LAYERS = [
    lambda **kw: LSTM(3, **kw), lambda **kw: GRU(3, **kw), lambda **kw: GRU(3, reset_after=False, **kw),
    lambda **kw: SimpleRNN(3, **kw), lambda **kw: LSTM(3, activation="softsign", **kw),
    lambda **kw: GRU(2, activation="softsign", **kw),
]
OPTIONS = [dict(), dict(return_sequences=True), dict(return_state=True, go_backwards=True),
           dict(return_sequences=True, return_state=True, use_bias=False)]


@pytest.mark.parametrize("opts", OPTIONS)
@pytest.mark.parametrize("make", LAYERS)
def test_recurrent_layers_match_keras_maths(make, opts):
    x = RNG.standard_normal((2, 4, 3))
    layer = make(dtype="float64", **opts)
    out = layer(Tensor(x))
    seq, states = naive(layer, x)
    outs = out if isinstance(out, list) else [out]
    np.testing.assert_allclose(outs[0].data, seq if layer.return_sequences else seq[:, -1], atol=1e-10)
    if layer.return_state:
        assert len(outs) == 1 + layer.n_states
        for got, want in zip(outs[1:], states):
            np.testing.assert_allclose(got.data, want, atol=1e-10)
    check_output_shape(make(**opts), x.astype(np.float32))
    check_config_round_trip(make(**opts))


@pytest.mark.parametrize("make", LAYERS)
def test_recurrent_layers_gradients_with_mask(make):
    x = RNG.standard_normal((2, 3, 2))
    mask = np.array([[1, 0, 1], [1, 1, 0]], bool)
    layer = make(dtype="float64", return_sequences=True)
    check_layer_grads(layer, x, mask=mask)
    seq, _ = naive(layer, x, mask)
    np.testing.assert_allclose(layer(Tensor(x), mask=mask).data, seq, atol=1e-10)


def test_weights_in_keras_order_and_shapes():
    x = np.zeros((1, 2, 5), np.float32)
    expect = {LSTM(4): [(5, 16), (4, 16), (16,)], GRU(4): [(5, 12), (4, 12), (2, 12)],
              GRU(4, reset_after=False): [(5, 12), (4, 12), (12,)], SimpleRNN(4): [(5, 4), (4, 4), (4,)]}
    for layer, shapes in expect.items():
        layer(x)
        assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
        assert [w.shape for w in layer.weights] == shapes
    lstm = LSTM(4)
    lstm(x)
    np.testing.assert_array_equal(lstm.bias.numpy(), [0] * 4 + [1] * 4 + [0] * 8)  # unit_forget_bias
    r = lstm.recurrent_kernel.numpy()
    np.testing.assert_allclose(r @ r.T, np.eye(4), atol=1e-5)  # orthogonal: rows orthonormal (4 x 16)


def test_mask_from_embedding_carries_states():
    emb = Embedding(10, 3, mask_zero=True)
    lstm = LSTM(4, return_sequences=True)
    ids = np.array([[3, 4, 0, 0], [5, 0, 0, 0]])
    h = emb(ids)
    out = lstm(h)
    np.testing.assert_array_equal(out._keras_mask, ids != 0)
    np.testing.assert_allclose(out.data[0, 3], out.data[0, 1])  # padded steps keep the last state
    last = LSTM(4)
    last(h)
    last.set_weights(lstm.get_weights())
    np.testing.assert_allclose(last(emb(ids[:, :2])).data[0], out.data[0, 1], rtol=1e-6)


def test_dropout_only_in_training_and_repeatable():
    x = RNG.standard_normal((3, 5, 4)).astype(np.float32)
    layer = LSTM(6, dropout=0.5, recurrent_dropout=0.3)
    base = layer(x).data
    np.testing.assert_allclose(layer(x, training=False).data, base)
    set_seed(1)
    a = layer(x, training=True).data
    set_seed(1)
    b = layer(x, training=True).data
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - base).max() > 1e-3
    layer64 = GRU(3, dropout=0.4, recurrent_dropout=0.4, dtype="float64")
    xd = RNG.standard_normal((2, 3, 2))
    layer64(Tensor(xd))
    set_seed(2)  # the same masks for the analytic and numeric evaluations: reseed inside the call
    orig = layer64.call

    def seeded(*args, **kwargs):
        set_seed(2)
        return orig(*args, **kwargs)

    layer64.call = seeded
    check_layer_grads(layer64, xd, training=True)


def test_stateful_keeps_states_between_calls():
    x = RNG.standard_normal((2, 3, 2)).astype(np.float32)
    layer = GRU(3, stateful=True)
    first = layer(x).data
    second = layer(x).data
    assert np.abs(first - second).max() > 1e-4
    layer.reset_states()
    np.testing.assert_allclose(layer(x).data, first, rtol=1e-6)


def test_initial_state_is_used_and_differentiable():
    x = RNG.standard_normal((2, 3, 2))
    layer = LSTM(2, dtype="float64")
    h0, c0 = RNG.standard_normal((2, 2)), RNG.standard_normal((2, 2))
    layer(Tensor(x))
    ht, ct = Tensor(h0, requires_grad=True), Tensor(c0, requires_grad=True)
    out = layer(Tensor(x), initial_state=[ht, ct])
    zero = layer(Tensor(x)).data
    assert np.abs(out.data - zero).max() > 1e-4
    out.sum().backward()
    assert ht.grad is not None and np.abs(ct.grad).max() > 0
    out2 = layer([Tensor(x), Tensor(h0), Tensor(c0)])  # functional form: [x, h, c]
    np.testing.assert_allclose(out2.data, out.data)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional(merge_mode):
    x = RNG.standard_normal((2, 4, 3))
    layer = Bidirectional(LSTM(2, return_sequences=True, dtype="float64"), merge_mode=merge_mode)
    out = layer(Tensor(x))
    assert [w.path.split("/")[0] for w in layer.weights] == ["forward_lstm"] * 3 + ["backward_lstm"] * 3 \
        or len(layer.weights) == 6
    fwd, _ = naive(layer.forward_layer, x)
    bwd, _ = naive(layer.backward_layer, x)
    bwd = bwd[:, ::-1]
    expected = {"concat": np.concatenate([fwd, bwd], -1), "sum": fwd + bwd, "mul": fwd * bwd,
                "ave": (fwd + bwd) / 2}
    if merge_mode is None:
        np.testing.assert_allclose(out[0].data, fwd, atol=1e-10)
        np.testing.assert_allclose(out[1].data, bwd, atol=1e-10)
    else:
        np.testing.assert_allclose(out.data, expected[merge_mode], atol=1e-10)
        check_layer_grads(layer, x[:, :3])
    check_output_shape(Bidirectional(LSTM(2, return_sequences=True), merge_mode=merge_mode), x.astype(np.float32))
    clone = check_config_round_trip(Bidirectional(GRU(2), merge_mode=merge_mode))
    assert clone.backward_layer.go_backwards and not clone.forward_layer.go_backwards


def test_bidirectional_return_state_and_errors():
    x = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    layer = Bidirectional(LSTM(2, return_state=True))
    out = check_output_shape(layer, x)
    assert len(out) == 5 and out[0].shape == (2, 4)
    with pytest.raises(ValueError, match="merge mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError):
        Bidirectional("not a layer")


def test_time_distributed():
    from engine.layers.core import Dense

    x = RNG.standard_normal((2, 3, 4))
    layer = TimeDistributed(Dense(5, dtype="float64"))
    out = layer(Tensor(x))
    assert out.shape == (2, 3, 5)
    k, b = layer.layer.kernel.numpy(), layer.layer.bias.numpy()
    np.testing.assert_allclose(out.data, x @ k + b)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 5)
    check_layer_grads(layer, x)
    clone = check_config_round_trip(TimeDistributed(Dense(5)))
    assert clone.layer.units == 5
    with pytest.raises(ValueError, match="at least 3"):
        TimeDistributed(Dense(2)).compute_output_shape((None, 4))


def test_recurrent_shape_errors():
    with pytest.raises(ValueError, match="expected ndim=3"):
        LSTM(3).compute_output_shape((None, 4))
    with pytest.raises(ValueError, match="units"):
        GRU(0)
    with pytest.raises(ValueError, match="dropout"):
        LSTM(2, dropout=1.5)
    assert LSTM(3, return_state=True).compute_output_shape((None, None, 4)) == [(None, 3), (None, 3), (None, 3)]


def test_embedding_lstm_learns_whether_a_sequence_contains_token_7():
    """Variable-length (zero-padded, masked) sequences of tokens 1..9: label = "7 occurs"; >= 0.95 on held-out data."""
    from engine.layers.core import Dense, Input
    from engine.models import Sequential
    from engine.optimizers import Adam

    set_seed(0)
    rng = np.random.default_rng(0)
    n, steps = 2000, 12
    x = rng.integers(1, 10, (n, steps))
    has7 = rng.random(n) < 0.5
    x[~has7] = np.where(x[~has7] == 7, 8, x[~has7])
    x[has7, rng.integers(0, 4, has7.sum())] = 7  # within the shortest length, so padding never hides it
    for i, length in enumerate(rng.integers(4, steps + 1, n)):
        x[i, length:] = 0
    y = (x == 7).any(axis=1).astype(np.float32)
    model = Sequential([Input((steps,), dtype="int32"), Embedding(10, 8, mask_zero=True), LSTM(16),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    with threadpool_limits(limits=1, user_api="blas"):  # tiny GEMMs: threads only add sync cost
        model.fit(x[:1500], y[:1500], epochs=6, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x[1500:], y[1500:], verbose=0)
    assert accuracy >= 0.95


@pytest.mark.parametrize("make", [lambda: LSTM(5, return_sequences=True), lambda: GRU(5, return_sequences=True),
                                  lambda: GRU(5, reset_after=False, return_sequences=True),
                                  lambda: SimpleRNN(5, return_sequences=True)],
                         ids=["lstm", "gru", "gru_reset_before", "simple_rnn"])
def test_float32_kernel_path_matches_numpy_loop_in_a_masked_bidirectional_layer(monkeypatch, make):
    """Embedding(mask_zero) → Bidirectional(...) in float32: the numba step kernels (masks, go_backwards,
    recurrent dropout) give the numpy step loop's outputs and weight gradients."""
    pytest.importorskip("numba")
    from engine.ops import recurrent as R

    ids = np.array([[3, 4, 9, 0, 0, 0], [0, 0, 5, 6, 7, 8], [1, 0, 2, 0, 3, 4]])  # right / left / inner padding
    results = []
    for use in (False, True):
        monkeypatch.setattr(R._Recurrent, "use_kernels", use)
        set_seed(7)
        emb = Embedding(10, 4, mask_zero=True)
        layer = make()
        layer.recurrent_dropout = 0.3
        bi = Bidirectional(layer)
        out = bi(emb(ids), training=True)
        out.sum().backward()
        assert out.dtype == np.float32
        results.append([out.data] + [w.grad for w in emb.weights + bi.weights])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)
