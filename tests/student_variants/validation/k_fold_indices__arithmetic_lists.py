def k_fold_indices(n_samples, k):
    if k < 2:
        raise ValueError("need at least 2 folds")
    if k > n_samples:
        raise ValueError("more folds than samples")
    q, r = divmod(n_samples, k)
    result = []
    for i in range(k):
        start = i * q + min(i, r)
        stop = start + q + (1 if i < r else 0)
        val = list(range(start, stop))
        train = list(range(0, start)) + list(range(stop, n_samples))
        result.append((train, val))
    return result
