import numpy as np

from engine.autograd import Tensor
from engine.ops.embedding import embedding, scatter_add_rows
from engine.ops.gradcheck import check_grad


def test_embedding_gathers_rows():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((7, 3))
    ids = np.array([[0, 6, 2], [2, 2, 1]])
    out = embedding(ids, Tensor(table))
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.data, table[ids])
    out = embedding(ids.astype(np.float32), Tensor(table))  # float token ids (as Keras accepts)
    np.testing.assert_array_equal(out.data, table[ids])


def test_embedding_gradient_accumulates_repeated_ids():
    rng = np.random.default_rng(1)
    table = rng.standard_normal((5, 4))
    ids = np.array([[1, 1, 3], [4, 1, 0]])
    check_grad(lambda t: embedding(ids, t), table)
    t = Tensor(table.astype(np.float32), requires_grad=True)
    embedding(ids, t).sum().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_array_equal(t.grad[:, 0], [1, 3, 0, 1, 1])


def test_scatter_add_rows_matches_add_at():
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 50, 300)
    rows = rng.standard_normal((300, 6))
    ref = np.zeros((50, 6))
    np.add.at(ref, ids, rows)
    np.testing.assert_allclose(scatter_add_rows(ids, rows, 50), ref, atol=1e-12)
