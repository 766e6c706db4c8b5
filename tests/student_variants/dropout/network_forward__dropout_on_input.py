import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("bad rate")
    if not training or rate == 0:
        return np.array(a, dtype=float), np.ones(np.shape(a))
    mask = (rng.random(np.shape(a)) >= rate).astype(float)
    return a * mask / (1 - rate), mask


def network_forward(X, params, rate=0.0, rng=None, training=True):
    # applies dropout to every layer's input (X included) instead of the hidden outputs
    L = len(params) // 2
    A = np.asarray(X, dtype=float)
    cache = {"A": [A], "Z": [], "masks": []}
    for l in range(1, L + 1):
        A_in, D = dropout_forward(A, rate, rng, training)
        Z = A_in @ params[f"W{l}"] + params[f"b{l}"]
        cache["Z"].append(Z)
        if l < L:
            A = np.maximum(Z, 0)
            cache["A"].append(A)
            cache["masks"].append(np.ones(A.shape) if l == 1 else D)
    return 1 / (1 + np.exp(-Z[:, 0])), cache
