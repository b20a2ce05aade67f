"""The three workloads of the engine-speed issue, built through the engine's public Keras API.

Shapes are fixed by the issue (channels_last, float32, synthetic data from a fixed seed, Adam with Keras
defaults). Each builder returns (model, x, y) ready for ``fit``/``predict``.
"""

from __future__ import annotations

import numpy as np

WORKLOADS = {
    "mlp": {"batch": 128, "n": 128 * 40},
    "cnn": {"batch": 64, "n": 64 * 12},
    "lstm": {"batch": 64, "n": 64 * 6},
}


def data(name: str, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    if name == "mlp":
        return rng.standard_normal((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    if name == "cnn":
        return rng.standard_normal((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)
    if name == "lstm":
        return rng.integers(0, 10000, (n, 100)), rng.integers(0, 2, n).astype(np.float32)
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
        model = models.Sequential([layers.Input((100,), dtype="int32"), layers.Embedding(10000, 64),
                                   layers.LSTM(64), layers.Dense(1, activation="sigmoid")])
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
        class LSTMNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(10000, 64)
                self.lstm = nn.LSTM(64, 64, batch_first=True)
                self.out = nn.Linear(64, 1)

            def forward(self, x):
                _, (h, _) = self.lstm(self.emb(x))
                return torch.sigmoid(self.out(h[-1])).squeeze(-1)

        model = LSTMNet()
        loss = nn.BCELoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    return model, loss, opt
