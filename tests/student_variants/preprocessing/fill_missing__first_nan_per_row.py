import numpy as np


def fill_missing(x, fill_value=0.0):
    out = x.copy()
    for row in out:
        idx = np.where(np.isnan(row))[0]
        if len(idx) > 0:
            row[idx[0]] = fill_value
    return out
