import numpy as np


def l1_l2_penalty(weights, l1, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    total = 0.0
    for w in weights:
        total += l1 * np.sum(np.abs(w)) + l2 * np.sqrt(np.sum(w ** 2))
    return float(total)
