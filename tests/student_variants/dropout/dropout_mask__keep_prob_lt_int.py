import numpy as np


def dropout_mask(shape, rate, rng):
    if rate < 0 or rate >= 1:
        raise ValueError(f"invalid dropout rate {rate}")
    keep_prob = 1 - rate
    u = rng.random(size=shape)
    return (u < keep_prob).astype(int)
