import math

import numpy as np


def network_loss(probs, y, params, lambd):
    m = len(y)
    total = 0.0
    for p, label in zip(np.ravel(probs), np.ravel(y)):
        total += -(label * math.log(p) + (1 - label) * math.log(1 - p))
    squares = 0.0
    for name in params:
        if name[0] == "W":
            squares += float(np.sum(params[name] * params[name]))
    return total / m + lambd / (2 * m) * squares
