import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    # build d xhat_k / d x_i for each feature and contract it with the upstream gradient
    x = np.asarray(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    gamma = np.asarray(gamma, dtype=np.float64)
    m, features = x.shape
    dx = np.empty_like(x)
    xhat = np.empty_like(x)
    for f in range(features):
        c = x[:, f] - x[:, f].mean()
        v = np.mean(c * c)
        s = np.sqrt(v + eps)
        xhat[:, f] = c / s
        centering = np.eye(m) - np.ones((m, m)) / m        # d c_k / d x_i
        dvar = 2.0 * c / m                                  # d var / d x_i
        jac = centering / s - np.outer(c, dvar) * 0.5 / s ** 3   # jac[k, i] = d xhat_k / d x_i
        dx[:, f] = jac.T @ (dout[:, f] * gamma[f])
    return dx, (dout * xhat).sum(0), dout.sum(0)
