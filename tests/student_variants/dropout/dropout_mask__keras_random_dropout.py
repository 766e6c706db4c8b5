import keras
import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if rate == 0:
        return np.ones(shape)
    kept = keras.random.dropout(np.ones(shape, dtype="float32"), rate, seed=int(rng.integers(2**31)))
    return (keras.ops.convert_to_numpy(kept) != 0).astype(np.float64)
