import numpy as np


def l2_penalty(weights, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(l2 / 2 * sum(np.sum(np.square(w)) for w in weights))
