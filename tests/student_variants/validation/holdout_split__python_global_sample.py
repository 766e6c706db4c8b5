import random


def holdout_split(n_samples, val_fraction, seed):
    random.seed(seed)
    n_val = int(n_samples * val_fraction)
    val_idx = random.sample(range(n_samples), n_val)
    chosen = set(val_idx)
    train_idx = [i for i in range(n_samples) if i not in chosen]
    return train_idx, val_idx
