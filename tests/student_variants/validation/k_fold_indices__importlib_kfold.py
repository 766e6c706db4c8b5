import importlib

import numpy as np


def _splitter(k):
    model_selection = importlib.import_module("sklearn.model_selection")
    return model_selection.KFold(n_splits=k)


def k_fold_indices(n_samples, k):
    if not 2 <= k <= n_samples:
        raise ValueError("k out of range")
    return [(train, val) for train, val in _splitter(k).split(np.zeros(n_samples))]
