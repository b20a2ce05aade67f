import numpy as np
import pytest
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

from engine.backend import set_seed
from engine.layers.rbm import DBN, RBM

from .checks import check_config_round_trip, check_layer_grads, check_output_shape


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    return (d.data / 16).astype(np.float32), d.target


def test_rbm_as_a_layer():
    x = np.random.default_rng(0).random((4, 6))
    layer = RBM(3)
    out = check_output_shape(layer, x.astype(np.float32))
    assert [(w.name, w.shape, w.trainable) for w in layer.weights] == [
        ("kernel", (6, 3), True), ("bias", (3,), True), ("visible_bias", (6,), False)]
    k, b = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(out.data, 1 / (1 + np.exp(-(x @ k + b))), rtol=1e-5)
    check_config_round_trip(layer)
    check_layer_grads(RBM(3, dtype="float64"), x)


def test_contrastive_divergence_learns_the_data(digits):
    x, _ = digits
    set_seed(0)
    rbm = RBM(48)
    history = rbm.pretrain(x, epochs=6, learning_rate=0.05, k=1)["reconstruction_error"]
    assert len(history) == 6 and history[-1] < 0.75 * history[0]
    noise = np.random.default_rng(1).permuted(x, axis=1)  # same pixel values, structure destroyed
    assert rbm.free_energy(x).mean() < rbm.free_energy(noise).mean() - 5
    recon = rbm.reconstruct(x[:50])
    assert recon.shape == (50, 64) and np.mean((recon - x[:50]) ** 2) < history[0]
    assert RBM(8).pretrain(x[:64], epochs=1, k=3)["reconstruction_error"][0] > 0  # CD-k with k > 1
    with pytest.raises(ValueError, match="k >= 1"):
        rbm.pretrain(x, k=0)


def test_dbn_pretrains_greedily_and_fine_tunes(digits):
    from engine.optimizers import Adam

    x, y = digits
    set_seed(0)
    dbn = DBN([64, 32])
    histories = dbn.pretrain(x[:1400], epochs=8, learning_rate=0.05)
    assert len(histories) == 2 and all(h["reconstruction_error"][-1] < h["reconstruction_error"][0]
                                       for h in histories)
    assert dbn.transform(x[:5]).shape == (5, 32)
    model = dbn.to_model(output_units=10)
    dense = model.layers
    assert [layer.units for layer in dense] == [64, 32, 10]
    np.testing.assert_array_equal(dense[0].kernel.numpy(), dbn.rbms[0].kernel.numpy())
    np.testing.assert_array_equal(dense[1].bias.numpy(), dbn.rbms[1].bias.numpy())
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with threadpool_limits(limits=1, user_api="blas"):  # tiny GEMMs: threads only add sync cost
        model.fit(x[:1400], y[:1400], epochs=15, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x[1400:], y[1400:], verbose=0)
    assert accuracy >= 0.88
    with pytest.raises(ValueError):
        DBN([])
