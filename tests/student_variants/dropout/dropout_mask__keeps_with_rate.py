import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    return (rng.random(shape) < rate).astype(float)
