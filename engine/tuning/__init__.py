"""Hyper-parameter search: search spaces, oracles (grid, random, Bayesian) and Keras-tuner-like tuners."""

from engine.tuning.oracles import BayesianOracle, GridOracle, RandomOracle, minimize
from engine.tuning.space import Boolean, Choice, Fixed, Float, HyperParameters, Int, SearchSpace
from engine.tuning.tuner import BayesianSearch, GridSearch, MedianPruner, RandomSearch, Tuner

__all__ = ["BayesianOracle", "BayesianSearch", "Boolean", "Choice", "Fixed", "Float", "GridOracle",
           "GridSearch", "HyperParameters", "Int", "MedianPruner", "RandomOracle", "RandomSearch",
           "SearchSpace", "Tuner", "minimize"]
