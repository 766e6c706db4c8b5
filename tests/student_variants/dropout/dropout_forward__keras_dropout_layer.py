import keras
import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    a = np.asarray(a)
    if not training or rate == 0:
        return a.copy(), np.ones(a.shape)
    layer = keras.layers.Dropout(rate, seed=int(rng.integers(2**31)))
    ones = np.ones(a.shape, dtype="float32")
    mask = (keras.ops.convert_to_numpy(layer(ones, training=True)) != 0).astype(np.float64)
    return a * mask / (1 - rate), mask
