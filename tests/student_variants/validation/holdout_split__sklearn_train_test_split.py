import numpy as np
from sklearn.model_selection import train_test_split


def holdout_split(n_samples, val_fraction, seed):
    indices = np.arange(n_samples)
    n_val = int(n_samples * val_fraction)
    if n_val == 0:
        return indices, indices[:0]
    train_idx, val_idx = train_test_split(indices, test_size=n_val, random_state=seed)
    return train_idx, val_idx
