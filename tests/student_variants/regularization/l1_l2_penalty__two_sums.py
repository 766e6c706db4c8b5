import numpy as np


def l1_l2_penalty(weights, l1, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    abs_sum = sum(np.sum(np.abs(w)) for w in weights)
    sq_sum = sum(np.sum(np.square(w)) for w in weights)
    return float(l1 * abs_sum + l2 * sq_sum)
