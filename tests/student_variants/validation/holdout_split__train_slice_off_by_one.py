import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    val_idx = perm[:n_val]
    train_idx = perm[n_val + 1:]
    return train_idx, val_idx
