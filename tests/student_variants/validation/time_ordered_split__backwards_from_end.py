import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits >= n_samples:
        raise ValueError("invalid n_splits")
    block = n_samples // (n_splits + 1)
    splits = []
    end = n_samples
    # the last validation block ends at the last sample; walk backwards
    for _ in range(n_splits):
        start = end - block
        splits.append((np.arange(0, start), np.arange(start, end)))
        end = start
    splits.reverse()
    return splits
