import numpy as np


def dropout_backward(dout, mask, rate):
    out = np.array(dout, dtype=np.float64)
    out[np.asarray(mask) == 0] = 0.0
    return out / (1.0 - rate)


def network_backward(y, params, cache, lambd, rate=0.0):
    # einsum for the products; gradients collected in a list, then put in a dict
    depth = len(cache["Z"])
    m = np.shape(y)[0]
    target = np.asarray(y, dtype=np.float64)[:, None]
    probability = 1.0 / (1.0 + np.exp(-cache["Z"][-1]))
    delta = (probability - target) / m
    collected = []
    for index in range(depth - 1, -1, -1):
        weight = params[f"W{index + 1}"]
        d_weight = np.einsum("mi,mj->ij", cache["A"][index], delta) + lambd * weight / m
        d_bias = np.einsum("mj->j", delta)
        collected.append((index + 1, d_weight, d_bias))
        if index > 0:
            upstream = np.einsum("mj,ij->mi", delta, weight)
            upstream = dropout_backward(upstream, cache["masks"][index - 1], rate)
            delta = np.where(cache["Z"][index - 1] > 0, upstream, 0.0)
    grads = {}
    for number, d_weight, d_bias in collected:
        grads[f"W{number}"], grads[f"b{number}"] = d_weight, d_bias
    return grads
