import math


def he_normal_std(fan_in):
    return math.sqrt(2.0 / fan_in) / 0.87962566103423978
