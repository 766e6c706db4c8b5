import numpy as np


def dropout_mask(shape, rate, rng):
    if not (0.0 <= rate < 1.0):
        raise ValueError("rate must satisfy 0 <= rate < 1")
    return rng.binomial(n=1, p=1.0 - rate, size=shape)
