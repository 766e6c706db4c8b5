import numpy as np


def gradient_check(loss, params, grads, eps=1e-7):
    keys = list(params)
    shapes = [np.shape(params[k]) for k in keys]
    theta = np.concatenate([np.ravel(params[k]).astype(float) for k in keys])
    analytic = np.concatenate([np.ravel(grads[k]).astype(float) for k in keys])

    def unpack(vector):
        out, start = {}, 0
        for k, shape in zip(keys, shapes):
            size = int(np.prod(shape))
            out[k] = vector[start:start + size].reshape(shape)
            start += size
        return out

    numeric = np.zeros_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        numeric[i] = (loss(unpack(plus)) - loss(unpack(minus))) / (2 * eps)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
