import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    n_val = int(n_samples * val_fraction)
    # draw the validation samples without replacement
    val_idx = rng.choice(n_samples, size=n_val, replace=False)
    train_idx = np.setdiff1d(np.arange(n_samples), val_idx)
    # shuffle the training part too so it is not sorted
    train_idx = rng.permutation(train_idx)
    return train_idx, val_idx
