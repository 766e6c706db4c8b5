import numpy as np


def l2_penalty(weights, l2):
    if not isinstance(weights, list):
        weights = [weights]
    s = 0.0
    for w in weights:
        s += np.linalg.norm(np.ravel(w)) ** 2
    return float(l2 * s)
