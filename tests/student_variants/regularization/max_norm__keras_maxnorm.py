import keras
import numpy as np


def max_norm(w, max_value, axis=0):
    constraint = keras.constraints.MaxNorm(max_value=max_value, axis=axis)
    return np.asarray(keras.ops.convert_to_numpy(constraint(np.asarray(w, dtype="float64"))))
