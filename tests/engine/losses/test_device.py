"""Losses on a GPU: the same values and gradients as on the CPU, in float32."""

import numpy as np
import pytest

from engine import losses
from engine.autograd import Tensor

from .cases import PG, YG, ZG


@pytest.mark.gpu
@pytest.mark.parametrize("name,y,p", [
    ("categorical_crossentropy", YG, PG), ("binary_crossentropy", YG, PG), ("mse", YG, PG), ("huber", YG, PG),
    ("kld", YG, PG), ("log_cosh", YG, PG), ("cosine_similarity", YG, PG), ("categorical_hinge", YG, PG),
    ("sparse_categorical_crossentropy", np.array([1, 2]), PG)])
def test_gpu_matches_cpu(gpu, name, y, p):
    loss = losses.get(name)
    p32 = p.astype(np.float32)
    cpu_in = Tensor(p32, requires_grad=True)
    cpu_out = loss(y, cpu_in)
    cpu_out.backward()
    dev_in = Tensor(gpu.asarray(p32), requires_grad=True)
    dev_out = loss(y, dev_in)
    dev_out.backward()
    assert isinstance(dev_out.data, gpu.ndarray) and dev_out.dtype == np.float32
    np.testing.assert_allclose(float(dev_out.data), float(cpu_out.data), rtol=1e-5)
    np.testing.assert_allclose(gpu.asnumpy(dev_in.grad), cpu_in.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.gpu
def test_gpu_logits_losses(gpu):
    z = ZG.astype(np.float32)
    for loss, y in [(losses.CategoricalCrossentropy(from_logits=True), YG),
                    (losses.BinaryCrossentropy(from_logits=True), YG),
                    (losses.SparseCategoricalCrossentropy(from_logits=True), np.array([0, 2]))]:
        cpu_in, dev_in = Tensor(z, requires_grad=True), Tensor(gpu.asarray(z), requires_grad=True)
        loss(y, cpu_in).backward()
        loss(y, dev_in).backward()
        np.testing.assert_allclose(gpu.asnumpy(dev_in.grad), cpu_in.grad, rtol=1e-5, atol=1e-6)
