import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    # random keys + argsort is another way to get a uniform permutation
    keys = np.random.default_rng(seed).random(n_samples)
    order = np.argsort(keys, kind="stable").astype(np.int64)
    n_val = int(n_samples * val_fraction)
    is_val = np.zeros(n_samples, dtype=bool)
    is_val[order[:n_val]] = True
    train_idx = np.flatnonzero(~is_val)
    val_idx = np.flatnonzero(is_val)
    return train_idx, val_idx
