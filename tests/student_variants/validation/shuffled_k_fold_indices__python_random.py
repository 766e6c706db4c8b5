import random


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rnd = random.Random(seed)
    indices = list(range(n_samples))
    rnd.shuffle(indices)
    base, extra = divmod(n_samples, k)
    folds = []
    pos = 0
    for f in range(k):
        size = base + 1 if f < extra else base
        folds.append(indices[pos:pos + size])
        pos += size
    splits = []
    for f in range(k):
        val = sorted(folds[f])
        val_set = set(val)
        train = [i for i in range(n_samples) if i not in val_set]
        splits.append((train, val))
    return splits
