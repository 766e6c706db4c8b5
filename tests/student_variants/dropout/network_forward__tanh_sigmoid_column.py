import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if rate < 0 or rate >= 1:
        raise ValueError("rate must be in [0, 1)")
    a = np.asarray(a, dtype=np.float64)
    if training and rate > 0:
        keep = rng.binomial(1, 1 - rate, size=a.shape).astype(np.float64)
        return np.where(keep == 1, a / (1 - rate), 0.0), keep
    return a.copy(), np.ones_like(a)


def network_forward(X, params, rate=0.0, rng=None, training=True):
    # the layers in order of their number; a sigmoid written with tanh; probs as a column (m, 1)
    names = sorted({int(k[1:]) for k in params})
    cache = {"A": [np.array(X, dtype=np.float64)], "Z": [], "masks": []}
    current = cache["A"][0]
    for number in names:
        z = np.dot(current, params[f"W{number}"]) + params[f"b{number}"][None, :]
        cache["Z"].append(z)
        if number != names[-1]:
            relu = np.where(z > 0, z, 0.0)
            current, mask = dropout_forward(relu, rate, rng, training=training)
            cache["A"].append(current)
            cache["masks"].append(mask)
    probs = 0.5 * (1.0 + np.tanh(0.5 * cache["Z"][-1]))
    return probs, cache
