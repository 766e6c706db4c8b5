import numpy as np


def dropout_backward(dout, mask, rate):
    return np.divide(np.multiply(dout, mask), 1.0 - rate)
