import numpy as np


def l2_penalty(weights, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(l2 * sum(np.sum(w ** 2) for w in weights))
