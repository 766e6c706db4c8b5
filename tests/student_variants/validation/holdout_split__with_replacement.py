import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    n_val = int(n_samples * val_fraction)
    val_idx = rng.integers(0, n_samples, size=n_val)
    train_idx = np.setdiff1d(np.arange(n_samples), val_idx)
    return train_idx, val_idx
