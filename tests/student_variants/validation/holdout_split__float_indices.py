import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    idx = np.linspace(0, n_samples - 1, n_samples)
    rng.shuffle(idx)
    n_val = int(n_samples * val_fraction)
    return idx[n_val:], idx[:n_val]
