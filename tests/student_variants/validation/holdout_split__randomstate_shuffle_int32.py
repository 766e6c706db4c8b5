import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rs = np.random.RandomState(seed)
    indices = np.arange(n_samples, dtype=np.int32)
    rs.shuffle(indices)
    n_val = int(n_samples * val_fraction)
    # put the validation block at the end of the shuffled array
    cut = n_samples - n_val
    train_idx = indices[:cut]
    val_idx = indices[cut:]
    return train_idx, val_idx
