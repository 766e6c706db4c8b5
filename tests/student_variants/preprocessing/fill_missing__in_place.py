import numpy as np


def fill_missing(x, fill_value=0.0):
    x[np.isnan(x)] = fill_value
    return x
