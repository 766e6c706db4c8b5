import numpy as np


def dropout_backward(dout, mask, rate):
    scaled = np.asarray(mask, dtype=np.float64) / (1 - rate)
    return dout * scaled
