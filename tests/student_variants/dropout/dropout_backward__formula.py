import numpy as np


def dropout_backward(dout, mask, rate):
    return dout * mask / (1 - rate)
