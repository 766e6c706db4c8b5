import numpy as np


def dropout_backward(dout, mask, rate):
    dout = np.asarray(dout, dtype=float)
    return np.where(np.asarray(mask) != 0, dout / (1 - rate), 0.0)
