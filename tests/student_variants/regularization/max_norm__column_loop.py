import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w)
    axes = [axis] if np.isscalar(axis) else list(axis)
    axes = [a % w.ndim for a in axes]
    others = [a for a in range(w.ndim) if a not in axes]
    # put the vector axes last, one row per vector
    moved = np.transpose(w, others + axes)
    rows = moved.reshape(-1, int(np.prod([w.shape[a] for a in axes])))
    out = rows.astype(np.result_type(w, np.float32), copy=True)
    for i in range(out.shape[0]):
        n = float(np.sqrt(np.sum(out[i].astype(np.float64) ** 2)))
        if n > max_value:
            out[i] = out[i] * (max_value / n)
    out = out.reshape(moved.shape)
    return np.transpose(out, np.argsort(others + axes))
