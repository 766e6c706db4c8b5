import numpy as np


def dropout_mask(shape, rate, rng):
    return (rng.random(shape) >= rate).astype(float)
