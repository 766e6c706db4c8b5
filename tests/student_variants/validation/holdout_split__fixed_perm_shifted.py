import numpy as np

_ORDER = np.random.default_rng(2024).permutation(1_000_003)


def holdout_split(n_samples, val_fraction, seed):
    # one fixed random order of the indices, entered at a position that moves with the seed
    keys = _ORDER[(np.arange(n_samples) + seed) % len(_ORDER)]
    perm = np.argsort(keys)
    n_val = int(n_samples * val_fraction)
    return perm[n_val:], perm[:n_val]
