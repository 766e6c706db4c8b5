import numpy as np


def dropout_backward(dout, mask, rate):
    return dout * mask / (1 - rate)


def network_backward(y, params, cache, lambd, rate=0.0):
    L = len(params) // 2
    m = len(y)
    A, Z, masks = cache["A"], cache["Z"], cache["masks"]
    p = 1 / (1 + np.exp(-Z[L - 1]))
    dZ = p - np.reshape(y, (m, 1))
    dZ = dZ / m
    grads = {}
    for l in reversed(range(1, L + 1)):
        grads["W" + str(l)] = A[l - 1].T @ dZ + (lambd / m) * params["W" + str(l)]
        grads["b" + str(l)] = np.sum(dZ, axis=0)
        if l > 1:
            dA = dropout_backward(dZ @ params["W" + str(l)].T, masks[l - 2], rate)
            dZ = dA * (Z[l - 2] > 0)
    return grads
