import math


def he_normal_std(fan_in):
    return math.sqrt(1 / fan_in)
