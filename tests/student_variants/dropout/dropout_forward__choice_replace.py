import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if rate < 0 or rate >= 1:
        raise ValueError(f"invalid rate {rate}")
    if training and rate > 0:
        mask = rng.choice([0.0, 1.0], size=a.shape, replace=True, p=[rate, 1.0 - rate])
        return a * mask / (1.0 - rate), mask
    return a, np.ones(a.shape)
