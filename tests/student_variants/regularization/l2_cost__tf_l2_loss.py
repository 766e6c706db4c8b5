import numpy as np
from tensorflow import nn


def l2_cost(weights, lambd, m):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    half_sum_squares = sum(float(nn.l2_loss(np.asarray(w, dtype=np.float64))) for w in arrays)
    return lambd / m * half_sum_squares
