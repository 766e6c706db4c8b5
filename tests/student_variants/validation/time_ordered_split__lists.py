def time_ordered_split(n_samples, n_splits):
    if n_splits < 2:
        raise ValueError("need n_splits >= 2")
    if n_splits + 1 > n_samples:
        raise ValueError("not enough samples")
    val_size = n_samples // (n_splits + 1)
    first_train = n_samples - n_splits * val_size
    result = []
    for i in range(n_splits):
        cut = first_train + i * val_size
        train = list(range(cut))
        val = list(range(cut, cut + val_size))
        result.append((train, val))
    return result
