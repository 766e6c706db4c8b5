import numpy as np


def dropout_backward(dout, mask, rate):
    da = np.zeros(np.shape(dout))
    for idx in np.ndindex(da.shape):
        da[idx] = dout[idx] * mask[idx] / (1 - rate)
    return da
