import numpy as np


def fill_missing(x, fill_value=0.0):
    # NaN is the only value that is not equal to itself
    missing = x != x
    out = np.copy(x)
    np.putmask(out, missing, fill_value)
    return out
