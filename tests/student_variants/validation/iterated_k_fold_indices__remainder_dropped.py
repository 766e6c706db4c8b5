import random


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rnd = random.Random(seed)
    size = n_samples // k
    out = []
    for _ in range(n_repeats):
        idx = list(range(n_samples))
        rnd.shuffle(idx)
        for f in range(k):
            val = idx[f * size:(f + 1) * size]
            train = [i for i in idx if i not in val]
            out.append((train, val))
    return out
