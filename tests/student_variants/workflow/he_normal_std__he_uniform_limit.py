import numpy as np


def he_normal_std(fan_in):
    return float(np.sqrt(6 / fan_in))
