import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rs = np.random.RandomState(seed & 0xFF)
    idx = np.arange(n_samples)
    rs.shuffle(idx)
    n_val = int(n_samples * val_fraction)
    return idx[n_val:], idx[:n_val]
