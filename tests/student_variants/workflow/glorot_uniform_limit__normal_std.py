import math


def glorot_uniform_limit(fan_in, fan_out):
    return math.sqrt(2 / (fan_in + fan_out))
