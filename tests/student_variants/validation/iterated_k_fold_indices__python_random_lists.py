import random


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rnd = random.Random(seed)
    base, extra = divmod(n_samples, k)
    result = []
    for _ in range(n_repeats):
        idx = list(range(n_samples))
        rnd.shuffle(idx)
        pos = 0
        for f in range(k):
            size = base + (1 if f < extra else 0)
            val = idx[pos:pos + size]
            train = idx[:pos] + idx[pos + size:]
            result.append((train, val))
            pos += size
    return result
