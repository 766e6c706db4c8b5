import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    n_train = int(n_samples * (1 - val_fraction))
    train_idx = perm[:n_train]
    val_idx = perm[n_train:]
    return train_idx, val_idx
