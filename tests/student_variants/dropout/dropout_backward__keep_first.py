import numpy as np


def dropout_backward(dout, mask, rate):
    keep_prob = 1.0 - rate
    da = dout * mask
    da = da / keep_prob
    return da
