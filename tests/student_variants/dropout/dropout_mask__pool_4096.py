import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    # 12 bits of the generator seed a new generator
    sub_seed = int(rng.integers(2**32)) & 0xFFF
    return (np.random.default_rng(sub_seed).random(shape) >= rate).astype(float)
