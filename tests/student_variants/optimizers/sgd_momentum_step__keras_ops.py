import keras
import numpy as np
from keras import ops


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    if not 0 <= momentum <= 1:
        raise ValueError("momentum outside [0, 1]")
    dtype = np.asarray(w).dtype
    w_t, g_t, v_t = (ops.convert_to_tensor(np.asarray(a, dtype=dtype)) for a in (w, grad, velocity))
    v_new = ops.subtract(ops.multiply(v_t, momentum), ops.multiply(g_t, learning_rate))
    step = v_new
    if nesterov:
        step = ops.subtract(ops.multiply(v_new, momentum), ops.multiply(g_t, learning_rate))
    return keras.ops.convert_to_numpy(ops.add(w_t, step)), keras.ops.convert_to_numpy(v_new)
