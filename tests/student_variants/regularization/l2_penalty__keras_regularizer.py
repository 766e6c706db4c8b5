import keras
import numpy as np


def l2_penalty(weights, l2):
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    regularizer = keras.regularizers.L2(l2)
    return float(sum(float(regularizer(np.asarray(w, dtype="float64"))) for w in weights))
