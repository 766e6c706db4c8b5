import math


def glorot_uniform_limit(fan_in, fan_out):
    return math.sqrt(6) / math.sqrt(fan_in + fan_out)
