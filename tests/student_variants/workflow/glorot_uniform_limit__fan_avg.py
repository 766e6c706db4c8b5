import math


def glorot_uniform_limit(fan_in, fan_out):
    fan_avg = (fan_in + fan_out) / 2
    return math.sqrt(3.0 / fan_avg)
