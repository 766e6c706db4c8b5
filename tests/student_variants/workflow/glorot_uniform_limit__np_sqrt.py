import numpy as np


def glorot_uniform_limit(fan_in, fan_out):
    return np.sqrt(6.0 / (fan_in + fan_out))
