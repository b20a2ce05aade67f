import math

import numpy as np
import pytest

from engine import autograd, optimizers, parallel, schedules
from engine.backend import set_seed
from engine.constraints import NonNeg
from engine.layers import Dense, Input
from engine.models import Model
from engine.ops import nn as nn_ops
from engine.optimizers import Optimizer, kernels, split
from engine.variables import Variable

G1 = [0.5, -1.0]
G2 = [0.2, 0.4]
W0 = [1.0, -2.0]


def run_two_steps(opt, dtype=np.float64, grads=(G1, G2)):
    w = Variable(np.array(W0, dtype=dtype), name="w")
    out = []
    for g in grads:
        opt.apply_gradients([(np.array(g, dtype=dtype), w)])
        out.append(w.numpy().copy())
    return out


def test_sgd_plain_by_hand():
    s1, s2 = run_two_steps(optimizers.SGD(learning_rate=0.1))
    np.testing.assert_allclose(s1, [0.95, -1.9])
    np.testing.assert_allclose(s2, [0.93, -1.94])


def test_sgd_momentum_by_hand():
    # m1 = -lr*g1 = (-0.05, 0.1); w1 = w0 + m1 ; m2 = 0.9*m1 - lr*g2 = (-0.065, 0.05)
    s1, s2 = run_two_steps(optimizers.SGD(learning_rate=0.1, momentum=0.9))
    np.testing.assert_allclose(s1, [0.95, -1.9])
    np.testing.assert_allclose(s2, [0.885, -1.85])


def test_sgd_nesterov_by_hand():
    # w1 = w0 + 0.9*m1 - lr*g1 = 1 - 0.045 - 0.05 ; w2 = w1 + 0.9*m2 - lr*g2 = 0.905 - 0.0585 - 0.02
    s1, s2 = run_two_steps(optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    np.testing.assert_allclose(s1, [0.905, -2 + 0.09 + 0.1])
    np.testing.assert_allclose(s2, [0.8265, -1.81 + 0.045 - 0.04])


def _adam_ref(lr=0.1, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None, grads=(G1, G2)):
    """Keras 3 Adam written out per element, for two steps."""
    out = []
    for j in range(2):
        w, m, v, vh = W0[j], 0.0, 0.0, 0.0
        trace = []
        for t, g in enumerate((grads[0][j], grads[1][j]), start=1):
            if wd:
                w = w - w * wd * lr
            m = m + (g - m) * (1 - b1)
            v = v + (g * g - v) * (1 - b2)
            vh = max(vh, v)
            alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
            w = w - m * alpha / (math.sqrt(vh if amsgrad else v) + eps)
            trace.append(w)
        out.append(trace)
    return np.array(out).T


def test_adam_by_hand():
    s = run_two_steps(optimizers.Adam(learning_rate=0.1))
    # the first Adam step moves every coordinate by ~lr against the gradient's sign
    np.testing.assert_allclose(s[0], [0.9, -1.9], atol=1e-6)
    np.testing.assert_allclose(s, _adam_ref(), rtol=1e-10)


def test_adam_amsgrad_by_hand():
    # a much smaller second gradient makes v shrink (0.999 v1 + 0.001 g2^2 < v1): v_hat keeps v1
    grads = (G1, [0.01, 0.02])
    s = run_two_steps(optimizers.Adam(learning_rate=0.1, amsgrad=True), grads=grads)
    np.testing.assert_allclose(s, _adam_ref(amsgrad=True, grads=grads), rtol=1e-10)
    assert not np.allclose(_adam_ref(amsgrad=True, grads=grads)[1], _adam_ref(grads=grads)[1], rtol=1e-9, atol=0)


def test_adamw_by_hand():
    s = run_two_steps(optimizers.AdamW(learning_rate=0.1, weight_decay=0.5))
    np.testing.assert_allclose(s, _adam_ref(wd=0.5), rtol=1e-10)
    # first step: w = 1 - 1*0.5*0.1 = 0.95, then Adam's ~lr step
    assert s[0][0] == pytest.approx(0.95 - 0.1, abs=1e-6)


def test_adagrad_by_hand():
    # acc1 = 0.1 + g1^2 ; w1 = w0 - lr*g1/sqrt(acc1 + eps)
    s1, s2 = run_two_steps(optimizers.Adagrad(learning_rate=0.1))
    acc1 = [0.1 + 0.25, 0.1 + 1.0]
    e1 = [1 - 0.1 * 0.5 / math.sqrt(acc1[0] + 1e-7), -2 + 0.1 / math.sqrt(acc1[1] + 1e-7)]
    acc2 = [acc1[0] + 0.04, acc1[1] + 0.16]
    e2 = [e1[0] - 0.1 * 0.2 / math.sqrt(acc2[0] + 1e-7), e1[1] - 0.1 * 0.4 / math.sqrt(acc2[1] + 1e-7)]
    np.testing.assert_allclose(s1, e1, rtol=1e-12)
    np.testing.assert_allclose(s2, e2, rtol=1e-12)


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, False), (0.0, True), (0.5, True)])
def test_rmsprop_by_hand(momentum, centered):
    s = run_two_steps(optimizers.RMSprop(learning_rate=0.1, rho=0.9, momentum=momentum, centered=centered))
    for j in range(2):
        w, vel, avg, mom = W0[j], 0.0, 0.0, 0.0
        for k, g in enumerate((G1[j], G2[j])):
            vel = 0.9 * vel + 0.1 * g * g
            if centered:
                avg = 0.9 * avg + 0.1 * g
                den = vel - avg * avg + 1e-7
            else:
                den = vel + 1e-7
            inc = 0.1 * g / math.sqrt(den)
            if momentum:
                mom = momentum * mom + inc
                w -= mom
            else:
                w -= inc
            assert s[k][j] == pytest.approx(w, rel=1e-10)
    # plain RMSprop's first step: lr * g / sqrt(0.1 g^2) = lr * sqrt(10) * sign(g)
    if not momentum and not centered:
        np.testing.assert_allclose(s[0], [1 - 0.1 * math.sqrt(10), -2 + 0.1 * math.sqrt(10)], rtol=1e-6)


def test_adadelta_by_hand():
    s = run_two_steps(optimizers.Adadelta(learning_rate=1.0, rho=0.95))
    for j in range(2):
        w, ag, ad = W0[j], 0.0, 0.0
        for k, g in enumerate((G1[j], G2[j])):
            ag = 0.95 * ag + 0.05 * g * g
            delta = -math.sqrt(ad + 1e-7) * g / math.sqrt(ag + 1e-7)
            ad = 0.95 * ad + 0.05 * delta * delta
            w += 1.0 * delta
            assert s[k][j] == pytest.approx(w, rel=1e-10)


def test_adamax_by_hand():
    s = run_two_steps(optimizers.Adamax(learning_rate=0.1))
    for j in range(2):
        w, m, u = W0[j], 0.0, 0.0
        for t, g in enumerate((G1[j], G2[j]), start=1):
            m = m + (g - m) * 0.1
            u = max(0.999 * u, abs(g))
            w -= 0.1 * m / ((1 - 0.9**t) * (u + 1e-7))
            assert s[t - 1][j] == pytest.approx(w, rel=1e-10)


def test_nadam_by_hand():
    s = run_two_steps(optimizers.Nadam(learning_rate=0.1))
    for j in range(2):
        w, m, v, u_prod = W0[j], 0.0, 0.0, 1.0
        for t, g in enumerate((G1[j], G2[j]), start=1):
            u_t = 0.9 * (1 - 0.5 * 0.96**t)
            u_t1 = 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
            u_prod *= u_t
            m = m + (g - m) * 0.1
            v = v + (g * g - v) * 0.001
            m_hat = u_t1 * m / (1 - u_prod * u_t1) + (1 - u_t) * g / (1 - u_prod)
            v_hat = v / (1 - 0.999**t)
            w -= m_hat * 0.1 / (math.sqrt(v_hat) + 1e-7)
            assert s[t - 1][j] == pytest.approx(w, rel=1e-10)


# ---- convergence on a small convex problem: f(w) = 0.5 |A w - b|^2
A = np.array([[2.0, 0.5], [0.5, 1.0]])
B = np.array([1.0, -1.0])
W_STAR = np.linalg.solve(A, B)


@pytest.mark.parametrize("opt,steps", [
    (optimizers.SGD(0.2), 200), (optimizers.SGD(0.05, momentum=0.9), 300),
    (optimizers.SGD(0.05, momentum=0.9, nesterov=True), 300), (optimizers.Adam(0.05), 600),
    (optimizers.Adam(0.05, amsgrad=True), 600), (optimizers.AdamW(0.05, weight_decay=1e-4), 600),
    (optimizers.Adagrad(0.5), 600), (optimizers.RMSprop(0.01), 800),
    (optimizers.RMSprop(0.005, momentum=0.5, centered=True), 800),
    (optimizers.Adadelta(0.2, epsilon=1e-3), 1500), (optimizers.Adamax(0.05), 800), (optimizers.Nadam(0.05), 600),
], ids=lambda p: type(p).__name__ if not isinstance(p, int) else str(p))
def test_converges(opt, steps):
    w = Variable(np.zeros(2, dtype=np.float32), name="w")
    for _ in range(steps):
        grad = A.T @ (A @ w.data - B)
        opt.apply_gradients([(grad.astype(np.float32), w)])
    tol = 2e-2 if isinstance(opt, optimizers.AdamW) else 1e-2
    np.testing.assert_allclose(w.data, W_STAR, atol=tol)
    assert opt.iterations == steps


# ---- float32, clipping, schedules, constraints, state, config
@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta", "adamax", "nadam"])
def test_float32_stays_float32_and_in_place(name):
    opt = optimizers.get(name)
    w = Variable(np.ones((3, 2), dtype=np.float32), name="w")
    opt.apply_gradients([(np.full((3, 2), 0.5, dtype=np.float32), w)])
    buf = w.data  # the first step re-homes the variable into the optimizer's flat buffer; then in place
    for _ in range(2):
        opt.apply_gradients([(np.full((3, 2), 0.5, dtype=np.float32), w)])
    assert w.data is buf and w.data.dtype == np.float32
    assert all(np.asarray(a).dtype in (np.float32, np.int64) for _, a in opt.variables())


def test_clipnorm_clipvalue_global_clipnorm():
    g = [3.0, 4.0]  # norm 5
    w = Variable(np.zeros(2), name="w")
    optimizers.SGD(1.0, clipnorm=1.0).apply_gradients([(np.array(g), w)])
    np.testing.assert_allclose(w.data, [-0.6, -0.8])
    w = Variable(np.zeros(2), name="w")
    optimizers.SGD(1.0, clipvalue=3.5).apply_gradients([(np.array(g), w)])
    np.testing.assert_allclose(w.data, [-3.0, -3.5])
    w1, w2 = Variable(np.zeros(2), name="a"), Variable(np.zeros(1), name="b")
    # global norm sqrt(9 + 16 + 144) = 13 → scale 2/13
    optimizers.SGD(1.0, global_clipnorm=2.0).apply_gradients([(np.array(g), w1), (np.array([12.0]), w2)])
    np.testing.assert_allclose(w1.data, [-6 / 13, -8 / 13])
    np.testing.assert_allclose(w2.data, [-24 / 13])
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_schedule_learning_rate_uses_iterations():
    sched = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=sched)
    w = Variable(np.zeros(1), name="w")
    assert opt.learning_rate == pytest.approx(0.1)
    for _ in range(3):
        opt.apply_gradients([(np.ones(1), w)])
    np.testing.assert_allclose(w.data, [-(0.1 + 0.05 + 0.025)])
    assert opt.learning_rate == pytest.approx(0.0125)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.3


def test_learning_rate_settable_and_legacy_lr_decay():
    opt = optimizers.Adam()
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5
    with pytest.warns(UserWarning, match="lr"):
        opt = optimizers.SGD(lr=0.2, decay=1.0)
    w = Variable(np.zeros(1), name="w")
    opt.apply_gradients([(np.ones(1), w)])
    opt.apply_gradients([(np.ones(1), w)])
    np.testing.assert_allclose(w.data, [-(0.2 + 0.1)])  # lr / (1 + decay * iterations)


def test_constraint_applied_after_update():
    w = Variable(np.array([0.1, 1.0]), name="w", constraint=NonNeg())
    optimizers.SGD(1.0).apply_gradients([(np.array([1.0, 1.0]), w)])
    np.testing.assert_allclose(w.data, [0.0, 0.0])


def test_state_round_trip_resumes_exactly():
    def make():
        return Variable(np.array([1.0, -1.0], dtype=np.float32), name="w", path="dense/kernel")

    a, wa = optimizers.Nadam(0.1), make()
    for _ in range(3):
        a.apply_gradients([(np.array([0.3, -0.2], dtype=np.float32), wa)])
    state = a.get_state()
    names = [p for p, _ in a.variables()]
    assert names[:4] == ["nadam/iteration", "nadam/learning_rate", "nadam/dense_kernel_momentum",
                         "nadam/dense_kernel_velocity"]
    assert int(state[0]) == 3
    b, wb = optimizers.Nadam(0.1), make()
    wb.assign(wa.numpy())
    b.build([wb])
    b.set_state(state)
    for opt, w in ((a, wa), (b, wb)):
        opt.apply_gradients([(np.array([0.1, 0.1], dtype=np.float32), w)])
    np.testing.assert_array_equal(wa.data, wb.data)
    with pytest.raises(ValueError, match="state arrays"):
        optimizers.Adam().set_state(state)


def _paths(opt):
    k = Variable(np.zeros((2, 2)), name="kernel", path="dense/kernel")
    b = Variable(np.zeros(2), name="bias", path="dense/bias")
    opt.apply_gradients([(np.ones((2, 2)), k), (np.ones(2), b)])
    return [p.split("/", 1)[1] for p, _ in opt.variables()]


def test_slot_order_as_keras_3():
    # Keras 3.15 (keras-h5/FORMAT.md 1.3): per variable, momentum then velocity; extra kinds after
    assert _paths(optimizers.Adam()) == ["iteration", "learning_rate", "dense_kernel_momentum",
                                         "dense_kernel_velocity", "dense_bias_momentum", "dense_bias_velocity"]
    assert _paths(optimizers.Adam(amsgrad=True))[6:] == ["dense_kernel_velocity_hat", "dense_bias_velocity_hat"]
    assert _paths(optimizers.RMSprop(momentum=0.5, centered=True))[2:] == [
        "dense_kernel_velocity", "dense_bias_velocity", "dense_kernel_momentum", "dense_bias_momentum",
        "dense_kernel_average_gradient", "dense_bias_average_gradient"]
    assert _paths(optimizers.Adamax())[2:4] == ["dense_kernel_momentum", "dense_kernel_norm"]
    assert _paths(optimizers.Nadam())[-1] == "u_product"
    assert _paths(optimizers.SGD()) == ["iteration", "learning_rate"]


@pytest.mark.parametrize("opt", [optimizers.SGD(0.3, momentum=0.5, nesterov=True), optimizers.Adam(0.01, amsgrad=True),
                                 optimizers.AdamW(weight_decay=0.1), optimizers.RMSprop(centered=True, clipnorm=1.0),
                                 optimizers.Adagrad(initial_accumulator_value=0.2), optimizers.Adadelta(rho=0.9),
                                 optimizers.Adamax(beta_1=0.8), optimizers.Nadam(global_clipnorm=2.0),
                                 optimizers.Adam(schedules.CosineDecay(0.1, 100))])
def test_config_round_trip(opt):
    cfg = optimizers.serialize(opt)
    again = optimizers.get(cfg)
    assert type(again) is type(opt) and again.get_config() == opt.get_config()


def test_get_names_and_errors():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert optimizers.get("adam").name == "adam" and optimizers.get("sgd").name == "SGD"
    keras2 = {"class_name": "Custom>Adam", "config": {"name": "Adam", "learning_rate": 0.01, "jit_compile": False,
                                                      "is_legacy_optimizer": False}}
    assert optimizers.get(keras2).learning_rate == 0.01
    keras3 = {"class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.009999999776482582, "beta_1": 0.9,
                                               "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False,
                                               "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                                               "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                                               "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                               "gradient_accumulation_steps": None}}
    assert optimizers.get(keras3).beta_1 == 0.9
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamx'. Expected one of"):
        optimizers.get("adamx")
    with pytest.raises(TypeError, match="unknown keyword arguments"):
        optimizers.Adam(betas=0.9)
    with pytest.raises(ValueError, match="No gradients"):
        optimizers.Adam().apply_gradients([(None, Variable(np.zeros(1), name="w"))])


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta", "adamax", "nadam"])
def test_gpu_matches_cpu(name):
    cupy = pytest.importorskip("cupy")
    from engine import backend

    try:
        backend.set_device("gpu")
    except RuntimeError:
        pytest.skip("no CUDA device")
    try:
        results = []
        for xp in (np, cupy):
            opt = optimizers.get({"class_name": name, "config": {"learning_rate": 0.05, "clipnorm": 1.0}})
            w = Variable(xp.asarray(np.array(W0, dtype=np.float32)), name="w")
            for g in (G1, G2, G1):
                opt.apply_gradients([(xp.asarray(np.array(g, dtype=np.float32)), w)])
            assert isinstance(w.data, xp.ndarray) and w.data.dtype == np.float32
            results.append((backend.to_cpu(w.data), [np.asarray(s) for s in opt.get_state()]))
        np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5, atol=1e-6)
        for a, b in zip(results[1][1], results[0][1]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    finally:
        backend.set_device("cpu")


# ---- flat storage: all variables in one array, one vector update per step
@pytest.mark.parametrize("name", ["sgd", "adam", "adagrad", "rmsprop", "adadelta", "adamax", "nadam"])
def test_flat_step_matches_one_optimizer_per_variable(name):
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3,), (3, 2)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    together = [Variable(a.copy(), name=f"v{i}") for i, a in enumerate(init)]
    alone = [Variable(a.copy(), name=f"v{i}") for i, a in enumerate(init)]
    opt, opts = optimizers.get(name), [optimizers.get(name) for _ in alone]
    for step in grads:
        opt.apply_gradients(list(zip(step, together)))
        for o, g, v in zip(opts, step, alone):
            o.apply_gradients([(g, v)])
    for a, b in zip(together, alone):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-7)
    flat = opt._flat["w"]
    assert all(np.shares_memory(v.data, flat) for v in together)
    assert [v.shape for v in together] == shapes and all(v.data.flags.c_contiguous for v in together)


def test_flat_partial_gradients_update_only_those_variables():
    a, b = Variable(np.ones(3, np.float32), name="a"), Variable(np.ones(2, np.float32), name="b")
    opt = optimizers.Adam(learning_rate=0.1)
    opt.apply_gradients([(np.ones(3, np.float32), a), (np.ones(2, np.float32), b)])
    b_before, slots_before = b.numpy(), [np.array(x) for _, x in opt.variables()]
    opt.apply_gradients([(np.ones(3, np.float32), a), (None, b)])  # b got no gradient this step
    np.testing.assert_array_equal(b.numpy(), b_before)
    after = dict(opt.variables())
    np.testing.assert_array_equal(after["adam/b_momentum"], slots_before[4])
    assert not np.array_equal(after["adam/a_momentum"], slots_before[2])
    assert opt.iterations == 2


def test_flat_rehomes_a_variable_whose_data_was_replaced():
    a, b = Variable(np.ones(3, np.float32), name="a"), Variable(np.ones(2, np.float32), name="b")
    opt = optimizers.SGD(learning_rate=1.0)
    opt.apply_gradients([(np.ones(3, np.float32), a), (np.ones(2, np.float32), b)])
    a.data = np.full(3, 5.0, np.float32)  # someone swapped the array: the next step must still train it
    opt.apply_gradients([(np.ones(3, np.float32), a), (np.ones(2, np.float32), b)])
    np.testing.assert_array_equal(a.data, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(b.data, [-1.0, -1.0])
    assert np.shares_memory(a.data, opt._flat["w"])


def test_flat_state_round_trip_into_a_fresh_optimizer():
    rng = np.random.default_rng(1)
    vs = [Variable(rng.standard_normal(s).astype(np.float32), name=f"v{i}") for i, s in enumerate([(2, 2), (2,)])]
    opt = optimizers.Adam()
    opt.apply_gradients([(np.ones(v.shape, np.float32), v) for v in vs])
    state = opt.get_state()
    fresh = optimizers.Adam()
    fresh.build(vs)
    fresh.set_state(state)
    for x, y in zip(state, fresh.get_state()):
        np.testing.assert_array_equal(x, y)
    assert np.shares_memory(fresh._slot("momentum", 0), fresh._flat["slots"]["momentum"])


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("kwargs", [{}, {"global_clipnorm": 1.0}, {"clipnorm": 0.5}, {"weight_decay": 0.1}])
def test_flat_update_split_over_threads_is_bit_identical(monkeypatch, kwargs, fused):
    if not fused:
        monkeypatch.setattr(optimizers.Adam, "_kernel", lambda self: None)  # the ufunc steps
    rng = np.random.default_rng(2)
    shapes = [(800, 600), (600,), (600, 300)]  # > SPLIT_MIN elements in all
    assert sum(np.prod(s) for s in shapes) > optimizers.SPLIT_MIN
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    results = []
    for threads in (1, 3, (1, 2)):  # (1, 2): the thread setting changes between steps
        vs = [Variable(a.copy(), name=f"v{i}") for i, a in enumerate(init)]
        opt = optimizers.Adam(learning_rate=0.01, **kwargs)
        for n in threads if isinstance(threads, tuple) else (threads, threads):
            monkeypatch.setattr(split, "engine_threads", lambda n=n: n)  # the module that reads it
            opt.apply_gradients(list(zip(grads, vs)))
            assert len(opt._flat["chunks"]) == n
        results.append([v.numpy() for v in vs] + opt.get_state())
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def _chunks_after_one_step(size):
    var = Variable(np.zeros(size, np.float32), name="w")
    opt = optimizers.Adam()
    opt.apply_gradients([(np.ones(size, np.float32), var)])
    return len(opt._flat["chunks"])


def test_split_follows_the_size_threshold_and_the_thread_setting_not_the_load(monkeypatch):
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr("os.getloadavg", lambda: (99.0, 99.0, 99.0))  # a busy machine must not change the rule
    with threadpool_limits(2, user_api="blas"):
        if split.engine_threads() < 2:
            pytest.skip("numpy's BLAS cannot run two threads here")
        assert _chunks_after_one_step(optimizers.SPLIT_MIN) == 1
        assert _chunks_after_one_step(optimizers.SPLIT_MIN + 1) == 2
    with threadpool_limits(1, user_api="blas"):  # what `python -m bench --threads 1` sets
        assert split.engine_threads() == 1
        assert _chunks_after_one_step(4 * optimizers.SPLIT_MIN) == 1


def test_engine_threads_respects_numba_set_num_threads(monkeypatch):
    import sys
    import types

    from engine import backend

    fake = types.SimpleNamespace(_is_initialized=False, get_num_threads=lambda: 1)
    monkeypatch.setitem(sys.modules, "numba.np.ufunc.parallel", fake)
    monkeypatch.setattr(backend, "_controller", [None])  # no threadpoolctl view: numba's alone decides
    assert backend.engine_threads() == 1  # unknown: one thread
    fake.get_num_threads = lambda: 3
    assert backend.engine_threads() == 1  # numba's pool not started: not asked (asking would start it)
    fake._is_initialized = True
    assert backend.engine_threads() == 3


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "nadam"])
def test_gpu_flat_step_matches_cpu(gpu, name):
    rng = np.random.default_rng(4)
    shapes = [(5, 3), (3,)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    cpu = [Variable(a.copy(), name=f"v{i}") for i, a in enumerate(init)]
    dev = [Variable(gpu.asarray(a), name=f"v{i}") for i, a in enumerate(init)]
    o_cpu, o_dev = optimizers.get(name), optimizers.get(name)
    for _ in range(3):
        o_cpu.apply_gradients(list(zip(grads, cpu)))
        o_dev.apply_gradients([(gpu.asarray(g), v) for g, v in zip(grads, dev)])
    assert isinstance(o_dev._flat["w"], gpu.ndarray)
    for c, d in zip(cpu, dev):
        np.testing.assert_allclose(gpu.asnumpy(d.data), c.data, rtol=1e-5, atol=1e-6)


def test_fused_adam_kernel_matches_the_ufunc_steps(monkeypatch):
    pytest.importorskip("numba")
    rng = np.random.default_rng(5)
    shapes = [(300, 200), (200,), (200, 90)]  # long enough for the fused CPU kernel
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    results = []
    for fused in (True, False):
        if not fused:
            monkeypatch.setattr(optimizers.Adam, "_kernel", lambda self: None)
        vs = [Variable(a.copy(), name=f"v{i}") for i, a in enumerate(init)]
        opt = optimizers.Adam(learning_rate=0.01)
        for step in grads:
            opt.apply_gradients(list(zip(step, vs)))
        results.append([v.numpy() for v in vs] + opt.get_state())
    assert kernels._kernels.get("adam") is not None
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-6)


def _train_twice(model_fn, homes: bool, monkeypatch):
    set_seed(3)
    model = model_fn()
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 2)).astype("float32")
    claimed = []
    real = autograd.claim_grad_home

    def spy(t):
        home = real(t)
        claimed.append(home is not None)
        return home

    with monkeypatch.context() as m:
        m.setattr(nn_ops, "claim_grad_home", spy)
        if not homes:
            m.setattr(Optimizer, "grad_homes", lambda self, variables: {})
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
    return model.get_weights(), claimed


@pytest.mark.parametrize("shared", [False, True])
def test_weight_gradients_written_into_the_flat_buffer_give_the_same_steps(shared, monkeypatch):
    """Dense writes its kernel gradient straight into the optimizer's flat buffer; a layer used twice gets
    the sum (the second use's gradient is fresh, not written over the first)."""
    monkeypatch.setattr(parallel, "batch_workers", lambda model: 1)  # the serial step (shards sum their own)

    def model_fn():
        inp = Input((6,))
        layer = Dense(6, activation="relu")
        h = layer(layer(inp)) if shared else layer(inp)
        return Model(inp, Dense(2)(h))

    with_homes, claimed = _train_twice(model_fn, True, monkeypatch)
    without, _ = _train_twice(model_fn, False, monkeypatch)
    assert any(claimed)  # the fast path ran (after the first step built the flat buffers)
    for a, b in zip(with_homes, without, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
