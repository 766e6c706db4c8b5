import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    perm = np.random.permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    val_idx = perm[:n_val]
    train_idx = perm[n_val:]
    return train_idx, val_idx
