import numpy as np


def network_backward(y, params, cache, lambd, rate=0.0):
    # goes back through ReLU but not through the dropout mask and its scaling
    L = len(params) // 2
    m = len(y)
    dZ = (1 / (1 + np.exp(-cache["Z"][-1])) - np.reshape(y, (m, 1))) / m
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = cache["A"][l - 1].T @ dZ + lambd / m * params[f"W{l}"]
        grads[f"b{l}"] = dZ.sum(axis=0)
        if l > 1:
            dZ = (dZ @ params[f"W{l}"].T) * (cache["Z"][l - 2] > 0)
    return grads
