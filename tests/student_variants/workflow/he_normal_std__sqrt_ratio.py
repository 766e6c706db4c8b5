import math


def he_normal_std(fan_in):
    return math.sqrt(2) / math.sqrt(fan_in)
