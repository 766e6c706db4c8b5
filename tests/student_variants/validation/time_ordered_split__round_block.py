def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    block = round(n_samples / (n_splits + 1))
    first = n_samples - n_splits * block
    out = []
    for i in range(n_splits):
        s = first + i * block
        out.append((list(range(s)), list(range(s, s + block))))
    return out
