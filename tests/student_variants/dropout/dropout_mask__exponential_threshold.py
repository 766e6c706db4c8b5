import numpy as np


def dropout_mask(shape, rate, rng):
    if not (0 <= rate < 1):
        raise ValueError("bad rate")
    # P(E >= t) = exp(-t) for a standard exponential E; t = -log(1 - rate) gives 1 - rate
    threshold = -np.log1p(-rate)
    return (rng.exponential(1.0, size=shape) >= threshold).astype(np.float64)
