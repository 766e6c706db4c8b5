def glorot_uniform_limit(fan_in, fan_out):
    return float((6 / (fan_in + fan_out)) ** 0.5)
