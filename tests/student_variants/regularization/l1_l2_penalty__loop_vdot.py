import numpy as np


def l1_l2_penalty(weights, l1, l2):
    arrays = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    total = 0.0
    for w in arrays:
        w = np.asarray(w, dtype=np.float64).ravel()
        total += l1 * np.abs(w).sum() + l2 * np.vdot(w, w)
    return float(total)
