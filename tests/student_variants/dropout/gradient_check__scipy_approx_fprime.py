import numpy as np
from scipy import optimize


def gradient_check(loss, params, grads, eps=1e-7):
    keys = list(params)
    shapes = [np.shape(params[k]) for k in keys]
    sizes = [int(np.prod(s)) for s in shapes]
    theta = np.concatenate([np.ravel(params[k]) for k in keys]).astype(float)

    def flat_loss(vector):
        pieces = np.split(vector, np.cumsum(sizes)[:-1])
        return loss({k: piece.reshape(s) for k, piece, s in zip(keys, pieces, shapes)})

    numeric = optimize.approx_fprime(theta, flat_loss, eps)
    analytic = np.concatenate([np.ravel(grads[k]) for k in keys]).astype(float)
    return float(np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))
