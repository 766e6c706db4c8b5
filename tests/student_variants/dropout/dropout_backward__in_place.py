import numpy as np


def dropout_backward(dout, mask, rate):
    dout *= mask
    dout /= 1 - rate
    return dout
