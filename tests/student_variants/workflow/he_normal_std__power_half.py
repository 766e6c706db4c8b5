def he_normal_std(fan_in):
    return float((2 / fan_in) ** 0.5)
