import numpy as np


def dropout_mask(shape, rate, rng):
    if rate < 0 or rate >= 1:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    size = int(np.prod(shape))
    flat = rng.choice(2, size=size, replace=True, p=[rate, 1 - rate])
    return flat.reshape(shape)
