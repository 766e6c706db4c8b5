import numpy as np


def l1_l2_penalty(weights, l1, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(sum(l1 * np.abs(w).sum() + 0.5 * l2 * (w ** 2).sum() for w in weights))
