import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    gen = np.random.default_rng()
    return (gen.random(shape) >= rate).astype(float)
