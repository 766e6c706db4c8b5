import numpy as np


def glorot_uniform_limit(fan_in, fan_out):
    scale = 1.0
    n = max(1.0, (fan_in + fan_out) / 2.0)
    variance = scale / n
    return float(np.sqrt(3.0 * variance))
