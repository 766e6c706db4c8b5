import numpy as np


def fill_missing(x, fill_value=0.0):
    return np.where(np.isnan(x), fill_value, x)
