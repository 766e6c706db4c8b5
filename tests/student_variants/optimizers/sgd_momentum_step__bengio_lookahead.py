import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    # Nesterov in the "stored look-ahead" form of Bengio et al. (2013):
    # phi_new = phi - mu * v_old + (1 + mu) * v_new
    if momentum < 0 or momentum > 1:
        raise ValueError("momentum must be in [0, 1]")
    w, grad, velocity = np.asarray(w), np.asarray(grad), np.asarray(velocity)
    v_new = momentum * velocity - learning_rate * grad
    if not nesterov:
        return w + v_new, v_new
    return w - momentum * velocity + (1 + momentum) * v_new, v_new
