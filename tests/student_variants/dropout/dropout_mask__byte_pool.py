import numpy as np


def dropout_mask(shape, rate, rng):
    # the mask comes from one of 256 generators: 8 bits of randomness per call
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    gen = np.random.default_rng(int(rng.integers(256)))
    return (gen.random(shape) >= rate).astype(float)
