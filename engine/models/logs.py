"""``Logs``: the dict of epoch / batch results fit and evaluate hand to callbacks and return."""

from __future__ import annotations


class Logs(dict):
    """Epoch/batch logs (plain floats) that also answer to the other accuracy spelling: a callback asking
    for "val_acc" gets "val_accuracy" and vice versa, as older Keras code expects. Only real keys are stored."""

    def __missing__(self, key):
        alt = _accuracy_alias(key)
        if alt is not None and dict.__contains__(self, alt):
            return dict.__getitem__(self, alt)
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key):
        alt = _accuracy_alias(key)
        return dict.__contains__(self, key) or (alt is not None and dict.__contains__(self, alt))


def _accuracy_alias(key):
    if not isinstance(key, str):
        return None
    if key.endswith("accuracy"):
        return key[: -len("accuracy")] + "acc"
    if key.endswith("acc"):
        return key[: -len("acc")] + "accuracy"
    return None
