import numpy as np


def he_normal_std(fan_in):
    return np.sqrt(2.0 / fan_in)
