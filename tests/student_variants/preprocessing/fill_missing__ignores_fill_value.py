import numpy as np


def fill_missing(x, fill_value=0.0):
    return np.nan_to_num(x, nan=0.0)
