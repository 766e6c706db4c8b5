import numpy as np


def l2_penalty(weights, l2):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    total = 0.0
    for w in arrays:
        w = np.asarray(w, dtype=np.float64)
        total += np.vdot(w, w)
    return float(l2 * total)
