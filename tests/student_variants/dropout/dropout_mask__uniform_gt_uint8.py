import numpy as np


def dropout_mask(shape, rate, rng):
    if rate < 0.0 or rate >= 1.0:
        raise ValueError("rate out of range")
    draws = rng.uniform(0.0, 1.0, size=shape)
    return (draws > rate).astype(np.uint8)
