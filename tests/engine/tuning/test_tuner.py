import numpy as np
import pytest

from engine import layers, models
from engine.tuning import BayesianSearch, Choice, GridSearch, MedianPruner, RandomSearch


def blobs(seed=0, n=160):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(0, 1, (n, 4)).astype("float32") + y[:, None] * 2.5
    return x, y.astype("float32")


def build(hp):
    model = models.Sequential([layers.Input((4,)),
                               layers.Dense(hp.Int("units", 2, 8, step=6), activation="relu"),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=hp.Choice("optimizer", ["adam", "sgd"]), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_grid_search_tries_every_combination_and_ranks_them():
    x, y = blobs()
    tuner = GridSearch(build, objective="val_accuracy", seed=0).search(x, y, epochs=3, validation_split=0.25)
    assert len(tuner.trials) == 4  # units in {2, 8} x optimizer in {adam, sgd}
    assert {(t["params"]["units"], t["params"]["optimizer"]) for t in tuner.trials} == {
        (2, "adam"), (2, "sgd"), (8, "adam"), (8, "sgd")}
    best = max(tuner.trials, key=lambda t: t["val_accuracy"])
    assert tuner.best_params() == best["params"]
    assert tuner.direction == "max"
    table = tuner.results().splitlines()
    assert table[0].split()[:3] == ["trial", "units", "optimizer"] and len(table) == 5


def test_random_search_is_repeatable_and_best_model_is_trained():
    x, y = blobs()
    a = RandomSearch(build, objective="val_loss", max_trials=3, seed=7).search(x, y, epochs=2, validation_split=0.25)
    b = RandomSearch(build, objective="val_loss", max_trials=3, seed=7).search(x, y, epochs=2, validation_split=0.25)
    assert [t["params"] for t in a.trials] == [t["params"] for t in b.trials]
    assert a.best_model().predict(x[:5], verbose=0).shape == (5, 1)


def test_bayesian_search_runs_with_a_training_config_parameter():
    x, y = blobs()
    tuner = BayesianSearch(build, objective="val_loss", max_trials=8, seed=1, initial_points=3)
    tuner.space.params["batch_size"] = Choice([16, 32])  # a training-config parameter goes to fit()
    tuner.search(x, y, epochs=2, validation_split=0.25)
    assert len(tuner.trials) == 8 and all(t["params"]["batch_size"] in (16, 32) for t in tuner.trials)


def test_median_pruner_stops_a_trial_worse_than_the_median():
    pruner = MedianPruner(startup_trials=2, warmup_epochs=0)
    pruner.curves = [[1.0, 0.5], [1.2, 0.6]]
    assert pruner.should_prune(1, 0.9) and not pruner.should_prune(1, 0.4)


def test_an_objective_missing_from_the_logs_says_so():
    x, y = blobs()
    with pytest.raises(ValueError, match="val_loss"):
        RandomSearch(build, objective="val_loss", max_trials=1, seed=0).search(x, y, epochs=1)
