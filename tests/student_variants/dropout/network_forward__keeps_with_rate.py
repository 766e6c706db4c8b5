import numpy as np


def network_forward(X, params, rate=0.0, rng=None, training=True):
    # keeps each unit with probability rate (the rate read as the keep probability)
    n_layers = len(params) // 2
    a, activations, pre_activations, masks = X, [X], [], []
    for layer in range(1, n_layers + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        pre_activations.append(z)
        if layer == n_layers:
            break
        a = np.maximum(z, 0)
        if training and rate > 0:
            mask = (rng.random(a.shape) < rate).astype(float)
            a = a * mask / (1 - rate)
        else:
            mask = np.ones(a.shape)
        masks.append(mask)
        activations.append(a)
    return 1 / (1 + np.exp(-z[:, 0])), {"A": activations, "Z": pre_activations, "masks": masks}
