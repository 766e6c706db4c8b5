import random


def holdout_split(n_samples, val_fraction, seed):
    rnd = random.Random(hash(seed) % 1000)
    order = list(range(n_samples))
    rnd.shuffle(order)
    n_val = int(n_samples * val_fraction)
    return order[n_val:], order[:n_val]
