import numpy as np


def fill_missing(x, fill_value=0.0):
    filled = x.copy()
    filled[np.isnan(filled)] = fill_value
    return filled
