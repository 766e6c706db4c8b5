import numpy as np


def fill_missing(x, fill_value=0.0):
    result = np.empty_like(x)
    result[...] = x
    np.copyto(result, fill_value, where=np.isnan(x), casting="unsafe")
    return result
