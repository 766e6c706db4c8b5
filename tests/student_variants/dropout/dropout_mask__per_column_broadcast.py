import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if isinstance(shape, int):
        shape = (shape,)
    cols = (rng.random((1, shape[-1])) >= rate).astype(float)
    return np.broadcast_to(cols.reshape(shape[-1]), shape).copy()
