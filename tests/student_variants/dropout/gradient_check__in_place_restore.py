import numpy as np


def gradient_check(loss, params, grads, eps=1e-7):
    work = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    diff_sq = norm_a_sq = norm_n_sq = 0.0
    for k, value in work.items():
        it = np.nditer(value, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = value[i]
            value[i] = old + eps
            up = loss(work)
            value[i] = old - eps
            down = loss(work)
            value[i] = old
            n = (up - down) / (2 * eps)
            a = float(np.asarray(grads[k])[i])
            diff_sq += (a - n) ** 2
            norm_a_sq += a * a
            norm_n_sq += n * n
    return float(np.sqrt(diff_sq) / (np.sqrt(norm_a_sq) + np.sqrt(norm_n_sq)))
