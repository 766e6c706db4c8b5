import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    rng.random()  # advance the caller's generator...
    rng = np.random.default_rng(42)  # ...but draw from a generator re-seeded with a constant
    return (rng.random(shape) >= rate).astype(float)
