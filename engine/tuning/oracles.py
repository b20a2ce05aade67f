"""Oracles propose hyper-parameters (``ask``) and learn from results (``tell``); they never train.

All oracles minimise a score; the Tuner turns "maximise val_accuracy" into minimising its negative.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from engine.tuning.space import SearchSpace


class Oracle:
    def __init__(self, space: SearchSpace, *, max_trials: int = 10, seed: int | None = None):
        self.space = space
        self.max_trials = max_trials
        self.rng = np.random.default_rng(seed)
        self.history: list[tuple[dict, float]] = []  # finished trials: (params, score)
        self._asked = 0

    def exhausted(self) -> bool:
        return self._asked >= self.max_trials

    def ask(self) -> dict | None:
        """The next trial's parameters, or None when the budget (or the grid) is spent."""
        if self.exhausted():
            return None
        params = self._propose()
        if params is not None:
            self._asked += 1
        return params

    def tell(self, params: dict, score: float) -> None:
        self.history.append((dict(params), float(score)))

    def _propose(self) -> dict | None:
        raise NotImplementedError

    def _random(self) -> dict:
        return self.space.from_unit(self.rng.random(len(self.space.params)))


class GridOracle(Oracle):
    """Every combination of every parameter's grid (floats on 5 points unless a step is given), in order."""

    def __init__(self, space, *, max_trials=None, seed=None):
        grids = [hp.grid() for hp in space.params.values()]
        self._combos = iter(itertools.product(*grids))
        total = int(np.prod([len(g) for g in grids])) if grids else 1
        super().__init__(space, max_trials=min(max_trials or total, total), seed=seed)

    def _propose(self):
        combo = next(self._combos, None)
        return None if combo is None else dict(zip(self.space.names(), combo))


class RandomOracle(Oracle):
    def _propose(self):
        return self._random()


class BayesianOracle(Oracle):
    """Gaussian-process Bayesian optimisation with expected improvement.

    The GP is scikit-learn's ``GaussianProcessRegressor`` (Matern 5/2 + white noise, normalised targets),
    already a dependency of the project, so no new library is needed; the acquisition is maximised over
    random candidates plus local perturbations of the best points. The first ``initial_points`` trials are
    random.
    """

    def __init__(self, space, *, max_trials=10, seed=None, initial_points: int | None = None,
                 candidates: int = 1000):
        super().__init__(space, max_trials=max_trials, seed=seed)
        self.initial_points = initial_points or max(3, 2 * len(space.params))
        self.candidates = candidates

    def _propose(self):
        if len(self.history) < self.initial_points:
            return self._random()
        from scipy.stats import norm
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        x = np.array([self.space.to_unit(p) for p, _ in self.history])
        y = np.array([s for _, s in self.history])
        y = np.where(np.isfinite(y), y, np.nanmax(y[np.isfinite(y)]) if np.isfinite(y).any() else 0.0)
        dims = x.shape[1]
        kernel = ConstantKernel(1.0) * Matern(length_scale=np.full(dims, 0.3), length_scale_bounds=(1e-2, 10),
                                              nu=2.5) + WhiteKernel(1e-4, (1e-8, 1e-1))
        gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=0,
                                      random_state=int(self.rng.integers(2**31)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on tiny data sets
            gp.fit(x, y)
        best = x[np.argsort(y)[:3]]
        local = np.clip(best[self.rng.integers(0, len(best), self.candidates // 2)]
                        + self.rng.normal(0, 0.05, (self.candidates // 2, dims)), 0, 1)
        cand = np.vstack([self.rng.random((self.candidates - len(local), dims)), local])
        mu, sigma = gp.predict(cand, return_std=True)
        sigma = np.maximum(sigma, 1e-9)
        z = (y.min() - mu) / sigma
        ei = (y.min() - mu) * norm.cdf(z) + sigma * norm.pdf(z)
        return self.space.from_unit(cand[int(np.argmax(ei))])


ORACLES = {"grid": GridOracle, "random": RandomOracle, "bayesian": BayesianOracle}


def minimize(fn, space: SearchSpace, *, strategy: str = "bayesian", max_trials: int = 20, seed=None):
    """Minimise ``fn(params) -> float`` over ``space``; answers (best_params, best_score, history)."""
    oracle = ORACLES[strategy](space, max_trials=max_trials, seed=seed)
    while (params := oracle.ask()) is not None:
        oracle.tell(params, fn(params))
    params, score = min(oracle.history, key=lambda h: h[1])
    return params, score, oracle.history
