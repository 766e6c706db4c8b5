import math

import numpy as np


def fill_missing(x, fill_value=0.0):
    out = np.array(x, copy=True)
    flat = out.reshape(-1)  # view on the copy
    for k in range(flat.size):
        if math.isnan(flat[k]):
            flat[k] = fill_value
    return out
