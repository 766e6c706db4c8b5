import numpy as np


def l1_l2_penalty(weights, l1, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(sum(l1 * np.sum(w) + l2 * np.sum(w * w) for w in weights))
