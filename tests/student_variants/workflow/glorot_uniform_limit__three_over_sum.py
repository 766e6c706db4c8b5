import numpy as np


def glorot_uniform_limit(fan_in, fan_out):
    return float(np.sqrt(3 / (fan_in + fan_out)))
