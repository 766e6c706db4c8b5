def k_fold_indices(n_samples, k):
    if k > n_samples:
        raise ValueError("cannot have more folds than samples")
    q, r = divmod(n_samples, k)
    splits = []
    start = 0
    for i in range(k):
        stop = start + q + (1 if i < r else 0)
        val = list(range(start, stop))
        train = [j for j in range(n_samples) if j < start or j >= stop]
        splits.append((train, val))
        start = stop
    return splits
