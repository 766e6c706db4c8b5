import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    if not (0.0 <= momentum <= 1.0):
        raise ValueError(f"bad momentum {momentum}")
    w = np.array(w, dtype=float)
    g = np.array(grad, dtype=float).ravel()
    v_old = np.array(velocity, dtype=float).ravel()
    new_w = w.ravel().copy()
    new_v = np.empty_like(v_old)
    for i in range(new_w.size):
        new_v[i] = momentum * v_old[i] - learning_rate * g[i]
        if nesterov:
            new_w[i] += momentum * new_v[i] - learning_rate * g[i]
        else:
            new_w[i] += new_v[i]
    return new_w.reshape(w.shape), new_v.reshape(w.shape)
