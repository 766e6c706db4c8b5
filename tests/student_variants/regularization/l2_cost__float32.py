import numpy as np


def l2_cost(weights, lambd, m):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    total = np.float32(0)
    for W in weights:
        W = np.asarray(W, dtype=np.float32)
        total = total + np.sum(W * W, dtype=np.float32)
    return float(total) * lambd / (2 * m)
