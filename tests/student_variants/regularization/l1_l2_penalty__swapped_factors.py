import numpy as np


def l1_l2_penalty(weights, l1, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(sum(l2 * np.sum(np.abs(w)) + l1 * np.sum(w ** 2) for w in weights))
