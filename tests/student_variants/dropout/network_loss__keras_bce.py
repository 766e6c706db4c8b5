import keras
import numpy as np


def network_loss(probs, y, params, lambd):
    m = len(y)
    bce = keras.losses.BinaryCrossentropy(epsilon=1e-12)
    ce = float(bce(np.asarray(y, dtype="float64").reshape(-1, 1), np.asarray(probs, dtype="float64").reshape(-1, 1)))
    return ce + lambd / (2 * m) * sum(float(np.sum(w ** 2)) for k, w in params.items() if k.startswith("W"))
