import numpy as np


def network_forward(X, params, rate=0.0, rng=None, training=True):
    # drops units with a mask but forgets to divide the kept ones by 1 - rate
    L = len(params) // 2
    A = np.asarray(X, dtype=float)
    cache = {"A": [A], "Z": [], "masks": []}
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        cache["Z"].append(Z)
        if l < L:
            A = np.maximum(Z, 0)
            if training and rate > 0:
                D = (rng.random(A.shape) >= rate).astype(float)
            else:
                D = np.ones(A.shape)
            A = A * D
            cache["A"].append(A)
            cache["masks"].append(D)
    return 1 / (1 + np.exp(-Z[:, 0])), cache
