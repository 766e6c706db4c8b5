import keras
import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("need at least one pass")
    stacked = keras.ops.stack([model(X, training=True) for _ in range(n_passes)], axis=0)
    mean = keras.ops.convert_to_numpy(keras.ops.mean(stacked, axis=0))
    std = keras.ops.convert_to_numpy(keras.ops.std(stacked, axis=0))
    return mean, std
