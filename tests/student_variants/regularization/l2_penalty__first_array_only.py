import numpy as np


def l2_penalty(weights, l2):
    if isinstance(weights, (list, tuple)):
        weights = weights[0]
    w = np.asarray(weights)
    return float(l2 * np.sum(w * w))
