import numpy as np


def dropout_mask(shape, rate, rng):
    if rate < 0 or rate >= 1:
        raise ValueError("rate out of range")
    # integer draws in 0..999999; the first rate * 10**6 of them mean "dropped"
    cut = int(round(rate * 1_000_000))
    return (rng.integers(0, 1_000_000, size=shape) >= cut).astype(np.int64)
