def he_normal_std(fan_in):
    return 2 / fan_in
