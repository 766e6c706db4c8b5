import numpy as np


def l1_l2_penalty(weights, l1, l2):
    w = np.asarray(weights[0] if isinstance(weights, list) else weights, dtype=float)
    return float(l1 * np.abs(w).sum() + l2 * (w * w).sum())
