import numpy as np


def l2_cost(weights, lambd, m):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    s = 0.0
    for W in arrays:
        W = np.asarray(W, dtype=np.float64)
        s += np.vdot(W, W)
    return float(s * lambd / (2.0 * m))
