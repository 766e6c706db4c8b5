import random


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    idx = list(range(n_samples))
    random.Random(seed).shuffle(idx)
    q, r = divmod(n_samples, k)
    out, start = [], 0
    for i in range(k):
        stop = start + q + (1 if i < r else 0)
        fold = idx[start:stop]
        rest = idx[:start] + idx[stop:]
        out.append((fold, rest))
        start = stop
    return out
