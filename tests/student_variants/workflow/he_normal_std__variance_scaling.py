import numpy as np


def he_normal_std(fan_in):
    scale = 2.0
    variance = scale / max(1.0, float(fan_in))
    return float(np.sqrt(variance))
