import numpy as np


def l2_cost(weights, lambd, m):
    W = weights[0] if isinstance(weights, list) else weights
    return float(lambd / (2 * m) * np.sum(np.square(W)))
