import keras
import numpy as np


def l2_penalty(weights, l2):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    total = 0.0
    for w in arrays:
        w = keras.ops.convert_to_tensor(np.asarray(w, dtype=np.float64))
        total += float(keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.square(w))))
    return l2 * total
