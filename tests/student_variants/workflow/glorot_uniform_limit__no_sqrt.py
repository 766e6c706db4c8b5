def glorot_uniform_limit(fan_in, fan_out):
    return 6 / (fan_in + fan_out)
