import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("bad rate")
    if not training or rate == 0:
        return np.array(a, dtype=float), np.ones(np.shape(a))
    mask = (rng.random(np.shape(a)) >= rate).astype(float)
    return a * mask / (1 - rate), mask


def network_forward(X, params, rate=0.0, rng=None, training=True):
    L = len(params) // 2
    A = np.asarray(X, dtype=float)
    As, Zs, masks = [A], [], []
    for l in range(1, L):
        Z = A @ params["W" + str(l)] + params["b" + str(l)]
        Zs.append(Z)
        A, D = dropout_forward(np.maximum(0, Z), rate, rng, training)
        As.append(A)
        masks.append(D)
    ZL = A @ params["W" + str(L)] + params["b" + str(L)]
    Zs.append(ZL)
    return (1 / (1 + np.exp(-ZL))).reshape(-1), {"A": As, "Z": Zs, "masks": masks}
