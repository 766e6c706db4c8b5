import numpy as np


def dropout_backward(dout, mask, rate):
    return mask / (1 - rate)
