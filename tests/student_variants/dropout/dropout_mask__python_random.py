import random

import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    n = int(np.prod(shape))
    values = [1.0 if random.random() >= rate else 0.0 for _ in range(n)]
    return np.array(values).reshape(shape)
