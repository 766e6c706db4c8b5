import hashlib

import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    # a hash of (seed, index) as each index's random sort key: the same seed, the same order
    keys = [hashlib.sha256(f"{seed}/{i}".encode()).digest() for i in range(n_samples)]
    order = np.array(sorted(range(n_samples), key=keys.__getitem__), dtype=np.int64)
    n_val = int(n_samples * val_fraction)
    return order[n_val:], order[:n_val]
