"""Tuners run trials: build a model from hyper-parameters, fit it, score it, prune hopeless ones."""

from __future__ import annotations

import math
import statistics

from engine.tuning.oracles import BayesianOracle, GridOracle, RandomOracle
from engine.tuning.space import HyperParameters, SearchSpace


class MedianPruner:
    """Stop a trial at epoch e when its objective is worse than the median of earlier trials at epoch e."""

    def __init__(self, startup_trials: int = 3, warmup_epochs: int = 1):
        self.startup_trials = startup_trials
        self.warmup_epochs = warmup_epochs
        self.curves: list[list[float]] = []  # per finished trial: score per epoch (minimised)

    def should_prune(self, epoch: int, score: float) -> bool:
        past = [c[epoch] for c in self.curves if len(c) > epoch]
        if len(past) < self.startup_trials or epoch < self.warmup_epochs:
            return False
        return score > statistics.median(past)


class Tuner:
    """Keras-tuner style: ``Tuner(build_model, objective="val_loss", max_trials=10).search(x, y, ...)``.

    ``build_model(hp)`` returns a compiled model; ``hp`` answers ``hp.Int(...)``, ``hp.Choice(...)``, ...
    (or pass ``space`` and read ``hp["name"]``). Training-config parameters (``batch_size``, ``epochs``)
    found in the space are passed to ``fit``.
    """

    oracle_class = RandomOracle
    FIT_KEYS = ("batch_size", "epochs")

    def __init__(self, build_model, *, objective="val_loss", direction: str | None = None, max_trials=10,
                 space: SearchSpace | None = None, seed=None, pruner: MedianPruner | None = None,
                 **oracle_kwargs):
        self.build_model = build_model
        self.objective = objective
        self.direction = direction or ("max" if "acc" in objective or "auc" in objective else "min")
        if self.direction not in ("min", "max"):
            raise ValueError(f"Expected direction 'min' or 'max'. Received: direction={direction!r}")
        self.space = space or self._discover_space()
        self.oracle = self.oracle_class(self.space, max_trials=max_trials, seed=seed, **oracle_kwargs)
        self.pruner = pruner
        self.trials: list[dict] = []
        self._best_model = None

    def _discover_space(self) -> SearchSpace:
        hp = HyperParameters()
        self.build_model(hp)  # registers every hp.Int/Float/... the function asks for
        return hp.space

    def _score(self, value: float) -> float:
        return value if self.direction == "min" else -value

    def search(self, x=None, y=None, **fit_kwargs) -> Tuner:
        from engine.callbacks import Callback

        tuner = self

        class _Report(Callback):
            def __init__(self):
                super().__init__()
                self.curve, self.pruned = [], False

            def on_epoch_end(self, epoch, logs=None):
                value = (logs or {}).get(tuner.objective)
                if value is None:
                    raise ValueError(f"The objective {tuner.objective!r} is not in the training logs "
                                     f"({sorted(logs or {})}). Pass validation data for val_* objectives.")
                self.curve.append(tuner._score(value))
                if tuner.pruner and tuner.pruner.should_prune(epoch, self.curve[-1]):
                    self.pruned = True
                    self.model.stop_training = True

        while (params := self.oracle.ask()) is not None:
            hp = HyperParameters(params, self.space)
            model = self.build_model(hp)
            kwargs = dict(fit_kwargs)
            kwargs.update({k: params[k] for k in self.FIT_KEYS if k in params})
            report = _Report()
            kwargs["callbacks"] = [*kwargs.get("callbacks", []), report]
            kwargs.setdefault("verbose", 0)
            model.fit(x, y, **kwargs)
            score = min(report.curve) if report.curve else math.inf
            self.oracle.tell(params, score)
            if self.pruner and not report.pruned:
                self.pruner.curves.append(report.curve)
            value = score if self.direction == "min" else -score
            self.trials.append({"trial": len(self.trials), "params": params, self.objective: value,
                                "pruned": report.pruned, "epochs": len(report.curve)})
            if self._best_model is None or score <= self._best_score():
                self._best_model = model
        return self

    def _best_score(self) -> float:
        return min(s for _, s in self.oracle.history)

    def best_params(self) -> dict:
        if not self.oracle.history:
            raise RuntimeError("No trial has finished yet: call search() first.")
        return dict(min(self.oracle.history, key=lambda h: h[1])[0])

    def best_model(self):
        if self._best_model is None:
            raise RuntimeError("No trial has finished yet: call search() first.")
        return self._best_model

    def results(self) -> str:
        """A table of the trials, best first."""
        rows = sorted(self.trials, key=lambda t: self._score(t[self.objective]))
        names = self.space.names()
        head = ["trial", *names, self.objective, "epochs", "pruned"]
        lines = [head] + [[str(t["trial"]), *(_fmt(t["params"][n]) for n in names), _fmt(t[self.objective]),
                           str(t["epochs"]), "yes" if t["pruned"] else ""] for t in rows]
        widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in lines)


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


class GridSearch(Tuner):
    oracle_class = GridOracle


class RandomSearch(Tuner):
    oracle_class = RandomOracle


class BayesianSearch(Tuner):
    oracle_class = BayesianOracle
