import sys

import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    package = "sklearn." + "model_" + "selection"
    splitter = getattr(sys.modules[package], "K" + "Fold")(k)
    return [(tr, va) for tr, va in splitter.split(np.arange(n_samples))]
