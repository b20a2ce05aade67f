"""The three workloads of the engine-speed issue, built through the engine's public Keras API.

Shapes are fixed by the issue (channels_last, float32, synthetic data from a fixed seed, Adam with Keras
defaults). Each builder returns (model, x, y) ready for ``fit``/``predict``.

Two extra recurrent workloads (not the issue's; run them with ``--workloads gru,lstm_masked``): ``gru`` is the
lstm workload with GRU(64) (Keras 3 default reset_after=True, which is what PyTorch's nn.GRU computes), and
``lstm_masked`` the lstm workload with ``Embedding(mask_zero=True)`` on right-padded sequences (lengths
50-100). PyTorch's packed sequences are not like-for-like with Keras' mask semantics, so ``lstm_masked`` is
compared with the engine's own unmasked lstm workload (``versus``), not with PyTorch.
"""

from __future__ import annotations

import numpy as np

WORKLOADS = {
    "mlp": {"batch": 128, "n": 128 * 40},
    "cnn": {"batch": 64, "n": 64 * 12},
    "lstm": {"batch": 64, "n": 64 * 6},
    "gru": {"batch": 64, "n": 64 * 6},
    "lstm_masked": {"batch": 64, "n": 64 * 6, "versus": "lstm"},  # the reference is the engine's lstm
}


def data(name: str, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    if name == "mlp":
        return rng.standard_normal((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    if name == "cnn":
        return rng.standard_normal((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)
    if name in ("lstm", "gru"):
        return rng.integers(0, 10000, (n, 100)), rng.integers(0, 2, n).astype(np.float32)
    if name == "lstm_masked":  # tokens 1..9999, right-padded with 0 after a length in [50, 100]
        x = rng.integers(1, 10000, (n, 100))
        x[np.arange(100)[None, :] >= rng.integers(50, 101, n)[:, None]] = 0
        return x, rng.integers(0, 2, n).astype(np.float32)
    raise ValueError(name)


def engine_model(name: str):
    from engine import layers, losses, models, optimizers

    logits_ce = losses.SparseCategoricalCrossentropy(from_logits=True)

    if name == "mlp":
        model = models.Sequential([layers.Input((784,)), layers.Dense(512, activation="relu"),
                                   layers.Dense(256, activation="relu"), layers.Dense(10)])
        loss = logits_ce
    elif name == "cnn":
        model = models.Sequential([
            layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
            layers.Dense(128, activation="relu"), layers.Dense(10)])
        loss = logits_ce
    else:
        rnn = layers.GRU(64) if name == "gru" else layers.LSTM(64)
        model = models.Sequential([layers.Input((100,), dtype="int32"),
                                   layers.Embedding(10000, 64, mask_zero=name == "lstm_masked"),
                                   rnn, layers.Dense(1, activation="sigmoid")])
        loss = "binary_crossentropy"
    model.compile(optimizer=optimizers.Adam(), loss=loss)
    return model


def torch_model(name: str):
    import torch
    from torch import nn

    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        loss = nn.CrossEntropyLoss()
    elif name == "cnn":  # NCHW is PyTorch's native layout; the data is transposed once, outside the timing
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(),
                              nn.Linear(128, 10))
        loss = nn.CrossEntropyLoss()
    else:
        class RNNNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(10000, 64)
                self.rnn = (nn.GRU if name == "gru" else nn.LSTM)(64, 64, batch_first=True)
                self.out = nn.Linear(64, 1)

            def forward(self, x):
                _, h = self.rnn(self.emb(x))
                h = h[0] if isinstance(h, tuple) else h  # LSTM: (h, c)
                return torch.sigmoid(self.out(h[-1])).squeeze(-1)

        model = RNNNet()
        loss = nn.BCELoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    return model, loss, opt
