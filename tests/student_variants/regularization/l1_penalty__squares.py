import numpy as np


def l1_penalty(weights, l1):
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    return float(l1 * sum(np.sum(np.square(w)) for w in weights))
